package dev.ovserve.scheduler;

/**
 * Executes one batched model step over a paged KV cache. Implemented by the models module on
 * the real OpenVINO model; tests of the scheduler may use a fake. Called only from the engine
 * thread.
 */
public interface ModelRunner extends AutoCloseable {

    /**
     * Performs {@code step.copies()} on the KV cache, then one inference over all chunks' tokens,
     * and returns one logits row per chunk with {@code sample() == true}, in chunk order: the
     * logits after that chunk's last token.
     */
    StepLogits execute(ModelStep step);

    int vocabSize();

    /** Tokens per KV block. */
    int blockSize();

    /** KV blocks the cache holds (per layer, all layers alike). */
    int numBlocks();

    @Override
    void close();
}

package dev.ovserve.scheduler;

/** Row-major logits, {@code rows × vocabSize}, one row per sampled chunk in step order. */
public record StepLogits(float[] logits, int rows, int vocabSize) {
    public StepLogits {
        if ((long) rows * vocabSize > logits.length) {
            throw new IllegalArgumentException(rows + " rows of " + vocabSize + " do not fit in " + logits.length + " floats");
        }
    }

    public int offset(int row) {
        return row * vocabSize;
    }
}

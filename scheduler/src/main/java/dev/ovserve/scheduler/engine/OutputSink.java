package dev.ovserve.scheduler.engine;

import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;

/**
 * Receives one request's outputs, called on the engine thread: keep implementations quick and
 * hand work to another thread. An exception thrown here cancels that request only.
 */
public interface OutputSink {
    /** A new token of completion {@code index} (0 ≤ index < n). */
    void onToken(int index, SampledToken token);

    /** Completion {@code index} is finished. */
    void onFinish(int index, FinishReason reason);

    /** Every completion is finished; nothing more follows. */
    void onComplete(Usage usage);

    /** The request failed or was refused; nothing more follows. */
    void onError(EngineError error);
}

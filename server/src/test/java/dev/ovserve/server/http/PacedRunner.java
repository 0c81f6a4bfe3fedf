package dev.ovserve.server.http;

import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.ModelStep;
import dev.ovserve.scheduler.StepLogits;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The real runner with every step held to at least {@code minStep}: the tiny model answers in
 * milliseconds, too fast for a browser test to watch a reply grow or stop it half-way. The
 * logits are the real runner's, unchanged.
 */
record PacedRunner(ModelRunner inner, Duration minStep) implements ModelRunner {
    @Override
    public StepLogits execute(ModelStep step) {
        long end = System.nanoTime() + minStep.toNanos();
        StepLogits logits = inner.execute(step);
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
        return logits;
    }

    @Override
    public int vocabSize() {
        return inner.vocabSize();
    }

    @Override
    public int blockSize() {
        return inner.blockSize();
    }

    @Override
    public int numBlocks() {
        return inner.numBlocks();
    }

    @Override
    public void close() {
        // the inner runner belongs to TinyServer, which closes it
    }
}

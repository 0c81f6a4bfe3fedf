package dev.ovserve.scheduler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.ModelStep;
import dev.ovserve.scheduler.StepLogits;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.SamplingParams;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Scheduling limits, on a fake runner (the real-model engine tests live in the models module). */
class EngineLimitsTest {
    /** Holds its first step until released, so later submissions are admitted together. */
    static final class GatedRunner implements ModelRunner {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger mostChunks = new AtomicInteger();
        private volatile boolean first = true;

        @Override
        public StepLogits execute(ModelStep step) {
            if (first) {
                first = false;
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            mostChunks.accumulateAndGet(step.chunks().size(), Math::max);
            return new StepLogits(new float[step.sampledCount() * 8], step.sampledCount(), 8);
        }

        @Override
        public int vocabSize() {
            return 8;
        }

        @Override
        public int blockSize() {
            return 4;
        }

        @Override
        public int numBlocks() {
            return 64;
        }

        @Override
        public void close() {}
    }

    static class Done implements OutputSink {
        final CountDownLatch done = new CountDownLatch(1);
        volatile EngineError error;

        @Override
        public void onToken(int index, SampledToken token) {}

        @Override
        public void onFinish(int index, FinishReason reason) {}

        @Override
        public void onComplete(Usage usage) {
            done.countDown();
        }

        @Override
        public void onError(EngineError e) {
            error = e;
            done.countDown();
        }
    }

    @Test
    void siblingsStillToBeForkedCountAgainstMaxNumSeqs() throws Exception {
        GatedRunner runner = new GatedRunner();
        try (Engine engine = new Engine(runner, new SchedulerConfig(2, 512, 32, 64, true), Set.of())) {
            Done warm = new Done();
            engine.submit(new GenerationRequest("warm", new int[] {1, 2}, params(1, 1), warm));
            Thread.sleep(200); // the first step is now held at the gate
            Done pair = new Done();
            Done single = new Done();
            engine.submit(new GenerationRequest("pair", new int[] {1, 2, 3}, params(2, 5), pair));
            engine.submit(new GenerationRequest("single", new int[] {3, 2, 1}, params(1, 5), single));
            runner.gate.countDown();
            assertTrue(pair.done.await(5, TimeUnit.SECONDS) && single.done.await(5, TimeUnit.SECONDS));
            assertEquals(null, pair.error);
            assertEquals(null, single.error);
            assertTrue(runner.mostChunks.get() <= 2, "--max-num-seqs 2, but a step ran " + runner.mostChunks.get() + " sequences");
        }
    }

    private static SamplingParams params(int n, int maxTokens) {
        return SamplingParams.builder().temperature(0).n(n).maxTokens(maxTokens).ignoreEos(true).build();
    }
}

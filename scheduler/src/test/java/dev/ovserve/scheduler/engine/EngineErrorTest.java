package dev.ovserve.scheduler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.ModelStep;
import dev.ovserve.scheduler.SequenceChunk;
import dev.ovserve.scheduler.StepLogits;
import dev.ovserve.scheduler.sampling.SamplingParams;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An {@link Error} on the engine thread fails the requests it touched; the engine serves the next one. */
class EngineErrorTest {
    static final int POISON = 7;

    /** Throws an Error (not an exception) on any step that carries the poison token. */
    static final class PoisonedRunner implements ModelRunner {
        @Override
        public StepLogits execute(ModelStep step) {
            for (SequenceChunk c : step.chunks()) {
                for (int t : c.tokens()) {
                    if (t == POISON) {
                        throw new AssertionError("injected failure");
                    }
                }
            }
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

    @Test
    void anErrorInAStepFailsItsRequestsAndTheEngineGoesOn() throws Exception {
        try (Engine engine = new Engine(new PoisonedRunner(), new SchedulerConfig(4, 512, 32, 64, true), Set.of())) {
            EngineLimitsTest.Done poisoned = new EngineLimitsTest.Done();
            engine.submit(new GenerationRequest("poisoned", new int[] {1, POISON, 2}, params(2, 5), poisoned));
            assertTrue(poisoned.done.await(5, TimeUnit.SECONDS));
            assertNotNull(poisoned.error);
            assertEquals(EngineError.Kind.INTERNAL, poisoned.error.kind());

            assertTrue(engine.isRunning());
            EngineLimitsTest.Done next = new EngineLimitsTest.Done();
            engine.submit(new GenerationRequest("next", new int[] {1, 2, 3}, params(3, 6), next));
            assertTrue(next.done.await(5, TimeUnit.SECONDS));
            assertNull(next.error);
            assertEquals(0, awaitIdle(engine).usedBlocks(), "the failed request's KV blocks came back");
        }
    }

    @Test
    void anErrorThrownByASinkFailsOnlyThatRequest() throws Exception {
        try (Engine engine = new Engine(new PoisonedRunner(), new SchedulerConfig(4, 512, 32, 64, true), Set.of())) {
            EngineLimitsTest.Done broken = new EngineLimitsTest.Done() {
                @Override
                public void onToken(int index, dev.ovserve.scheduler.sampling.SampledToken token) {
                    throw new StackOverflowError("injected from a sink");
                }
            };
            EngineLimitsTest.Done healthy = new EngineLimitsTest.Done();
            engine.submit(new GenerationRequest("broken", new int[] {1, 2}, params(1, 5), broken));
            engine.submit(new GenerationRequest("healthy", new int[] {3, 2}, params(1, 5), healthy));
            assertTrue(broken.done.await(5, TimeUnit.SECONDS) && healthy.done.await(5, TimeUnit.SECONDS));
            assertNotNull(broken.error);
            assertTrue(engine.isRunning());
            EngineLimitsTest.Done next = new EngineLimitsTest.Done();
            engine.submit(new GenerationRequest("next", new int[] {1, 2, 3}, params(1, 4), next));
            assertTrue(next.done.await(5, TimeUnit.SECONDS));
            assertNull(next.error);
            assertEquals(0, awaitIdle(engine).usedBlocks());
        }
    }

    private static EngineStats awaitIdle(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        EngineStats s = engine.stats();
        while (System.nanoTime() < deadline && (s.usedBlocks() > 0 || s.running() > 0 || s.waiting() > 0)) {
            Thread.sleep(10);
            s = engine.stats();
        }
        return s;
    }

    private static SamplingParams params(int n, int maxTokens) {
        return SamplingParams.builder().temperature(0).n(n).maxTokens(maxTokens).ignoreEos(true).build();
    }
}

package dev.ovserve.scheduler.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.ModelStep;
import dev.ovserve.scheduler.SequenceChunk;
import dev.ovserve.scheduler.StepLogits;
import dev.ovserve.scheduler.engine.EngineStats.PoolStats;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Hand-off between two devices' lanes, on fake runners (the real-model hand-off test is in the models module). */
class EngineHandoffTest {
    static final int VOCAB = 50;

    /** Greedy output is last token + 1 (mod vocab), whichever runner computes it; records the sequences it ran. */
    static final class CountingRunner implements ModelRunner {
        final Set<Long> sequencesRun = ConcurrentHashMap.newKeySet();
        final int blocks;
        volatile boolean closed;

        CountingRunner(int blocks) {
            this.blocks = blocks;
        }

        @Override
        public StepLogits execute(ModelStep step) {
            if (closed) {
                throw new IllegalStateException("runner used after it was retired");
            }
            float[] logits = new float[step.sampledCount() * VOCAB];
            int row = 0;
            for (SequenceChunk c : step.chunks()) {
                sequencesRun.add(c.sequenceId());
                if (c.sample()) {
                    logits[row++ * VOCAB + (c.tokens()[c.tokens().length - 1] + 1) % VOCAB] = 1;
                }
            }
            try {
                Thread.sleep(2); // long enough for the test to act between steps
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new StepLogits(logits, step.sampledCount(), VOCAB);
        }

        @Override
        public int vocabSize() {
            return VOCAB;
        }

        @Override
        public int blockSize() {
            return 4;
        }

        @Override
        public int numBlocks() {
            return blocks;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class Ids implements OutputSink {
        final List<Integer> ids = new ArrayList<>();
        final CompletableFuture<Usage> done = new CompletableFuture<>();
        volatile int count;

        @Override
        public synchronized void onToken(int index, SampledToken token) {
            ids.add(token.token());
            count++;
        }

        @Override
        public void onFinish(int index, FinishReason reason) {}

        @Override
        public void onComplete(Usage usage) {
            done.complete(usage);
        }

        @Override
        public void onError(EngineError e) {
            done.completeExceptionally(new AssertionError(e.message()));
        }

        synchronized int[] ids() {
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @Test
    void runningSequencesFinishWhereTheyAreAndNewOnesMove() throws Exception {
        CountingRunner cpu = new CountingRunner(64);
        CountingRunner gpu = new CountingRunner(32);
        CountDownLatch retired = new CountDownLatch(1);
        List<ModelRunner> retiredRunners = new ArrayList<>();
        try (Engine engine = new Engine(cpu, "CPU", new SchedulerConfig(8, 256, 64, 100, true), Set.of())) {
            List<Ids> before = submit(engine, "before", 4, 40);
            while (before.getFirst().count < 5) {
                Thread.sleep(1);
            }
            engine.handOff(gpu, "GPU", r -> {
                retiredRunners.add(r);
                r.close();
                retired.countDown();
            });
            List<Ids> during = submit(engine, "during", 4, 10);
            assertTrue(retired.await(10, TimeUnit.SECONDS), "the CPU lane was never retired");
            List<Ids> after = submit(engine, "after", 3, 10);
            for (List<Ids> batch : List.of(before, during, after)) {
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done.get(10, TimeUnit.SECONDS);
                    assertArrayEquals(expected(prompt(i), batch.get(i).ids.size()), batch.get(i).ids());
                }
            }
            assertEquals(40, before.getFirst().ids.size());
            assertSame(cpu, retiredRunners.getFirst());
            assertTrue(gpu.sequencesRun.stream().noneMatch(cpu.sequencesRun::contains), "a sequence moved between devices");
            assertTrue(gpu.sequencesRun.size() >= 7, "the GPU ran the later requests: " + gpu.sequencesRun);

            EngineStats s = awaitIdle(engine);
            assertEquals("GPU", s.servingDevice());
            assertEquals(2, s.pools().size(), s.toString());
            PoolStats g = s.pools().get(0);
            PoolStats c = s.pools().get(1);
            assertEquals(PoolStats.State.SERVING, g.state());
            assertEquals(PoolStats.State.RETIRED, c.state());
            for (PoolStats p : s.pools()) {
                assertEquals(0, p.usedBlocks(), p.toString());
                assertEquals(0, p.running() + p.waiting(), p.toString());
                assertTrue(p.generatedTokens() > 0, p.toString());
            }
            assertEquals(4 * 40 + 4 * 10 + 3 * 10, c.generatedTokens() + g.generatedTokens());
            assertEquals(32, s.totalBlocks(), "only the live pool counts");
        }
    }

    @Test
    void aRunnerThatCannotServeIsRetiredAtOnceAndServingGoesOn() throws Exception {
        CountingRunner cpu = new CountingRunner(64);
        CountingRunner tooSmall = new CountingRunner(4); // 64-token context needs 16 blocks of 4
        CompletableFuture<ModelRunner> refused = new CompletableFuture<>();
        try (Engine engine = new Engine(cpu, "CPU", new SchedulerConfig(8, 256, 64, 100, true), Set.of())) {
            engine.handOff(tooSmall, "GPU", refused::complete);
            assertSame(tooSmall, refused.get(5, TimeUnit.SECONDS));
            List<Ids> later = submit(engine, "later", 2, 5);
            for (Ids ids : later) {
                assertEquals(5, ids.done.get(5, TimeUnit.SECONDS).completionTokens());
            }
            assertEquals("CPU", engine.stats().servingDevice());
            assertTrue(tooSmall.sequencesRun.isEmpty());
        }
    }

    @Test
    void aHandOffAfterShutdownStillReleasesTheRunner() throws Exception {
        CountingRunner cpu = new CountingRunner(64);
        CountingRunner gpu = new CountingRunner(64);
        CompletableFuture<ModelRunner> released = new CompletableFuture<>();
        Engine engine = new Engine(cpu, "CPU", new SchedulerConfig(8, 256, 64, 100, true), Set.of());
        engine.close();
        engine.handOff(gpu, "GPU", released::complete);
        assertSame(gpu, released.get(5, TimeUnit.SECONDS));
    }

    private static List<Ids> submit(Engine engine, String tag, int count, int maxTokens) {
        List<Ids> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Ids ids = new Ids();
            out.add(ids);
            engine.submit(new GenerationRequest(tag + i, prompt(i),
                    SamplingParams.builder().temperature(0).maxTokens(maxTokens).ignoreEos(true).build(), ids));
        }
        return out;
    }

    private static int[] prompt(int i) {
        return new int[] {i, i + 3, i + 7};
    }

    private static int[] expected(int[] prompt, int n) {
        int[] out = new int[n];
        int last = prompt[prompt.length - 1];
        for (int k = 0; k < n; k++) {
            last = (last + 1) % VOCAB;
            out[k] = last;
        }
        return out;
    }

    private static EngineStats awaitIdle(Engine engine) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            EngineStats s = engine.stats();
            if (s.running() == 0 && s.waiting() == 0 && s.usedBlocks() == 0) {
                return s;
            }
            Thread.sleep(10);
        }
        return engine.stats();
    }
}

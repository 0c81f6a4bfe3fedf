package dev.ovserve.scheduler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.ModelStep;
import dev.ovserve.scheduler.SequenceChunk;
import dev.ovserve.scheduler.StepLogits;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.SamplingParams;
import dev.ovserve.scheduler.sampling.TokenChoiceConstraint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Constrained requests through the real engine loop on a fake runner: n > 1 siblings, prefix
 * sharing and preemption (recompute) must leave every output a valid one and end it on time.
 */
class ConstrainedEngineTest {
    static final int VOCAB = 130;
    static final int EOS = 129;

    /**
     * Logits that depend only on (position, token there), so a recomputed sequence sees what it saw
     * before; records every (sequence, position) → token it was fed to prove recomputes feed the same.
     */
    static final class Runner implements ModelRunner {
        final int blocks;
        final Map<Long, Map<Integer, Integer>> fed = new ConcurrentHashMap<>();
        volatile String inconsistency;

        Runner(int blocks) {
            this.blocks = blocks;
        }

        @Override
        public StepLogits execute(ModelStep step) {
            float[] out = new float[step.sampledCount() * VOCAB];
            int row = 0;
            for (SequenceChunk c : step.chunks()) {
                Map<Integer, Integer> seen = fed.computeIfAbsent(c.sequenceId(), k -> new ConcurrentHashMap<>());
                for (int i = 0; i < c.tokens().length; i++) {
                    Integer before = seen.putIfAbsent(c.pastLength() + i, c.tokens()[i]);
                    if (before != null && before != c.tokens()[i]) {
                        inconsistency = "sequence " + c.sequenceId() + " position " + (c.pastLength() + i) + " was " + before
                                + ", now " + c.tokens()[i];
                    }
                }
                if (c.sample()) {
                    int last = c.tokens()[c.tokens().length - 1];
                    int pos = c.endPosition();
                    for (int v = 0; v < VOCAB; v++) {
                        out[row * VOCAB + v] = (float) Math.sin(v * 12.9898 + last * 78.233 + pos * 3.1) * 4;
                    }
                    row++;
                }
            }
            return new StepLogits(out, step.sampledCount(), VOCAB);
        }

        @Override
        public int vocabSize() {
            return VOCAB;
        }

        @Override
        public int blockSize() {
            return 2;
        }

        @Override
        public int numBlocks() {
            return blocks;
        }

        @Override
        public void close() {}
    }

    static final class Collect implements OutputSink {
        final CountDownLatch done = new CountDownLatch(1);
        final Map<Integer, List<Integer>> tokens = new ConcurrentHashMap<>();
        final Map<Integer, FinishReason> finish = new ConcurrentHashMap<>();
        volatile EngineError error;
        volatile Usage usage;

        @Override
        public void onToken(int index, SampledToken token) {
            tokens.computeIfAbsent(index, k -> new ArrayList<>()).add(token.token());
        }

        @Override
        public void onFinish(int index, FinishReason reason) {
            finish.put(index, reason);
        }

        @Override
        public void onComplete(Usage u) {
            usage = u;
            done.countDown();
        }

        @Override
        public void onError(EngineError e) {
            error = e;
            done.countDown();
        }

        int[] output(int index) {
            return tokens.getOrDefault(index, List.of()).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    static final TokenChoiceConstraint CHOICES = new TokenChoiceConstraint(List.of(
            new int[] {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
            new int[] {5, 6, 7, 8, 9, 10, 11, 12},
            new int[] {40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53},
            new int[] {100, 101}), Set.of(EOS));

    @Test
    void siblingsAndPreemptedSequencesKeepTheirOutputsValid() throws Exception {
        // 14 blocks of 2 tokens: far too few for 6 requests × 3 siblings growing to ~26 tokens.
        Runner runner = new Runner(14);
        try (Engine engine = new Engine(runner, new SchedulerConfig(16, 256, 28, 64, true), Set.of(EOS))) {
            List<Collect> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Collect c = new Collect();
                calls.add(c);
                int[] prompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, i + 20};
                SamplingParams p = SamplingParams.builder().temperature(1).seed((long) i).n(3).maxTokens(17)
                        .constraint(CHOICES).build();
                engine.submit(new GenerationRequest("r" + i, prompt, p, c));
            }
            for (Collect c : calls) {
                assertTrue(c.done.await(20, TimeUnit.SECONDS));
                assertNull(c.error);
                for (int k = 0; k < 3; k++) {
                    int[] out = c.output(k);
                    assertTrue(CHOICES.matchesAChoice(out), "output " + Arrays.toString(out));
                    assertEquals(FinishReason.STOP, c.finish.get(k));
                }
            }
            assertTrue(engine.stats().preemptions() > 0, "the pool is small enough to force preemption");
            assertNull(runner.inconsistency, "a recompute feeds the same tokens");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (engine.stats().usedBlocks() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // stats are published after the step that completed the last request
            }
            assertEquals(0, engine.stats().usedBlocks(), "every block came back");
        }
    }

    @Test
    void endTokenIsCountedButNotReturnedAndCompleteOutputsStopAtOnce() throws Exception {
        Runner runner = new Runner(64);
        TokenChoiceConstraint short_ = new TokenChoiceConstraint(List.of(new int[] {100, 101}), Set.of(EOS));
        try (Engine engine = new Engine(runner, new SchedulerConfig(16, 256, 64, 64, true), Set.of(EOS))) {
            Collect c = new Collect();
            engine.submit(new GenerationRequest("x", new int[] {1, 2, 3},
                    SamplingParams.builder().temperature(0).maxTokens(50).constraint(short_).build(), c));
            assertTrue(c.done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of(100, 101), c.tokens.get(0));
            assertEquals(FinishReason.STOP, c.finish.get(0));
            assertEquals(2, c.usage.completionTokens(), "complete after 101: no EOS step needed");

            // [5..12] may go on to [5..16]: when the model prefers EOS there, it is taken and not returned
            TokenChoiceConstraint prefix = new TokenChoiceConstraint(List.of(new int[] {5, 6}, new int[] {5, 6, 7}), Set.of(EOS));
            Collect d = new Collect();
            engine.submit(new GenerationRequest("y", new int[] {1, 2, 3},
                    SamplingParams.builder().temperature(0).maxTokens(50).logitBias(Map.of(EOS, 100f)).constraint(prefix).build(), d));
            assertTrue(d.done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of(5, 6), d.tokens.get(0));
            assertEquals(FinishReason.STOP, d.finish.get(0));
            assertEquals(3, d.usage.completionTokens(), "the EOS counts in usage");
        }
    }
}

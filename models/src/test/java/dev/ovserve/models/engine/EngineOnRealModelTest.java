package dev.ovserve.models.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.paged.PagedModelOptions;
import dev.ovserve.models.paged.PagedModelRunner;
import dev.ovserve.models.reference.Gpt2Reference;
import dev.ovserve.openvino.Core;
import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.scheduler.engine.EngineStats;
import dev.ovserve.scheduler.engine.GenerationRequest;
import dev.ovserve.scheduler.engine.SchedulerConfig;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The continuous-batching engine on the real OpenVINO model: everything produced concurrently
 * must equal what each prompt produces alone, whatever the batch, cache and budget do.
 */
class EngineOnRealModelTest {
    static final int NEW_TOKENS = 24;
    static final int MAX_MODEL_LEN = 128;

    @TempDir
    static Path dir;
    static Path ir;
    static Core core;
    static List<int[]> prompts;
    static List<int[]> alone;

    @BeforeAll
    static void setUp() throws Exception {
        ir = TinyModels.build(dir, WeightFormat.FP32);
        core = new Core();
        prompts = prompts();
        // Baseline: each prompt on its own through the engine, checked against the reference model.
        try (PagedModelRunner runner = runner(0.01); Engine engine = engine(runner, config())) {
            alone = new ArrayList<>();
            for (int[] p : prompts) {
                alone.add(greedy(engine, "alone", List.of(p)).getFirst());
            }
        }
        Gpt2Reference reference = Gpt2Reference.load(dir.resolve("hf"));
        for (int i : new int[] {0, 5, 16}) {
            assertArrayEquals(reference.greedy(prompts.get(i), NEW_TOKENS), alone.get(i), "alone equals the reference, prompt " + i);
        }
    }

    @AfterAll
    static void tearDown() {
        core.close();
    }

    /** 18 prompts, 1 to 90 tokens; six share a 70-token prefix, four share a 40-token one. */
    static List<int[]> prompts() {
        List<int[]> out = new ArrayList<>();
        int vocab = TinyModels.SHAPE.vocab();
        int[] longPrefix = IntStream.range(0, 70).map(i -> (i * 37 + 11) % vocab).toArray();
        int[] shortPrefix = IntStream.range(0, 40).map(i -> (i * 53 + 5) % vocab).toArray();
        for (int i = 0; i < 6; i++) {
            int k = i;
            out.add(concat(longPrefix, IntStream.range(0, 1 + 3 * k).map(j -> (j * 7 + k * 13) % vocab).toArray()));
        }
        for (int i = 0; i < 4; i++) {
            int k = i;
            out.add(concat(shortPrefix, IntStream.range(0, 2 + 5 * k).map(j -> (j * 17 + k * 3) % vocab).toArray()));
        }
        int[] lengths = {1, 2, 5, 9, 17, 31, 33, 64};
        for (int i = 0; i < lengths.length; i++) {
            int seed = i;
            out.add(IntStream.range(0, lengths[i]).map(j -> (j * 29 + seed * 101 + 3) % vocab).toArray());
        }
        return out;
    }

    static SchedulerConfig config() {
        return new SchedulerConfig(32, 512, MAX_MODEL_LEN, 1000, true);
    }

    static PagedModelRunner runner(double kvGiB) {
        return PagedModelRunner.load(core, ir, PagedModelOptions.cpu(kvGiB).withProperties(TinyModels.EXACT));
    }

    static Engine engine(PagedModelRunner runner, SchedulerConfig config) {
        return new Engine(runner, config, Set.of()); // no EOS: every run generates exactly NEW_TOKENS
    }

    static List<int[]> greedy(Engine engine, String tag, List<int[]> batch) throws Exception {
        List<Collector> collectors = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Collector c = new Collector(1);
            collectors.add(c);
            engine.submit(new GenerationRequest(tag + i, batch.get(i),
                    SamplingParams.builder().temperature(0).maxTokens(NEW_TOKENS).ignoreEos(true).build(), c));
        }
        List<int[]> out = new ArrayList<>();
        for (Collector c : collectors) {
            Usage u = c.await();
            assertEquals(NEW_TOKENS, u.completionTokens());
            assertEquals(FinishReason.LENGTH, c.reasons.getFirst());
            out.add(c.ids(0));
        }
        return out;
    }

    static void assertBatchEqualsAlone(SchedulerConfig config, double kvGiB, boolean expectPreemption) throws Exception {
        try (PagedModelRunner runner = runner(kvGiB); Engine engine = engine(runner, config)) {
            List<int[]> batched = greedy(engine, "batch", prompts);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(alone.get(i), batched.get(i), "prompt " + i + " (" + prompts.get(i).length + " tokens)");
            }
            EngineStats s = awaitIdle(engine);
            assertEquals(0, s.usedBlocks(), "every block is free again");
            assertEquals(s.totalBlocks(), s.freeBlocks());
            if (expectPreemption) {
                assertTrue(s.preemptions() > 0, "the small cache should have forced preemption: " + s);
            }
        }
    }

    static EngineStats awaitIdle(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        EngineStats s = engine.stats();
        while ((s.running() > 0 || s.usedBlocks() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            s = engine.stats();
        }
        return s;
    }

    @Test
    void batchedEqualsAloneWithPrefixCaching() throws Exception {
        try (PagedModelRunner runner = runner(0.01); Engine engine = engine(runner, config())) {
            List<int[]> batched = greedy(engine, "batch", prompts);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(alone.get(i), batched.get(i), "prompt " + i);
            }
            // The same prompts again hit the cached prefixes and still produce the same text.
            List<int[]> again = greedy(engine, "again", prompts);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(alone.get(i), again.get(i), "cached prompt " + i);
            }
            EngineStats s = awaitIdle(engine);
            assertTrue(s.prefixHitRate() > 0.3, "repeated prompts should mostly hit the prefix cache: " + s);
            assertEquals(0, s.usedBlocks());
        }
    }

    @Test
    void batchedEqualsAloneWithoutPrefixCaching() throws Exception {
        assertBatchEqualsAlone(config().withPrefixCaching(false), 0.01, false);
    }

    @Test
    void batchedEqualsAloneUnderPreemption() throws Exception {
        // 32 KiB per block on this model: 14 blocks hold 448 tokens, far below 18 prompts' needs.
        assertBatchEqualsAlone(config(), 14 * 32 * 1024 / (double) (1L << 30), true);
    }

    @Test
    void batchedEqualsAloneWithChunkedPrefill() throws Exception {
        assertBatchEqualsAlone(config().withMaxNumBatchedTokens(16), 0.01, false);
    }

    @Test
    void sameSeedSameSampleAloneOrInABatch() throws Exception {
        SamplingParams sampled = SamplingParams.builder().temperature(0.9).topP(0.95).seed(1234L).maxTokens(NEW_TOKENS)
                .ignoreEos(true).build();
        int[] prompt = prompts.get(3);
        try (PagedModelRunner runner = runner(0.01); Engine engine = engine(runner, config())) {
            Collector aloneRun = new Collector(1);
            engine.submit(new GenerationRequest("alone", prompt, sampled, aloneRun));
            aloneRun.await();
            List<Collector> crowd = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                Collector c = new Collector(1);
                crowd.add(c);
                SamplingParams p = i == 7 ? sampled : SamplingParams.builder().temperature(1.0).seed((long) i).maxTokens(NEW_TOKENS)
                        .ignoreEos(true).build();
                engine.submit(new GenerationRequest("crowd" + i, i == 7 ? prompt : prompts.get(i), p, c));
            }
            for (Collector c : crowd) {
                c.await();
            }
            assertArrayEquals(aloneRun.ids(0), crowd.get(7).ids(0));
            assertNotEquals(Arrays.toString(aloneRun.ids(0)), Arrays.toString(crowd.get(3).ids(0)), "another seed, another sample");
        }
    }

    @Test
    void nCompletionsShareThePromptAndDiffer() throws Exception {
        try (PagedModelRunner runner = runner(0.01); Engine engine = engine(runner, config())) {
            Collector c = new Collector(3);
            engine.submit(new GenerationRequest("n3", prompts.get(2),
                    SamplingParams.builder().temperature(1.0).seed(5L).n(3).maxTokens(NEW_TOKENS).ignoreEos(true).build(), c));
            Usage u = c.await();
            assertEquals(3 * NEW_TOKENS, u.completionTokens());
            assertEquals(prompts.get(2).length, u.promptTokens());
            assertTrue(!Arrays.equals(c.ids(0), c.ids(1)) || !Arrays.equals(c.ids(1), c.ids(2)), "siblings sample independently");
            assertEquals(0, awaitIdle(engine).usedBlocks());
        }
    }

    @Test
    void cancellationMidGenerationFreesEveryBlock() throws Exception {
        try (PagedModelRunner runner = runner(0.01); Engine engine = engine(runner, config())) {
            List<Collector> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Collector c = new Collector(1);
                all.add(c);
                engine.submit(new GenerationRequest("long" + i, prompts.get(i),
                        SamplingParams.builder().temperature(0).maxTokens(MAX_MODEL_LEN).ignoreEos(true).build(), c));
            }
            assertTrue(all.get(0).firstTokens.await(30, TimeUnit.SECONDS));
            assertTrue(engine.stats().usedBlocks() > 0);
            for (int i = 0; i < 8; i += 2) {
                engine.cancel("long" + i);
            }
            for (int i = 0; i < 8; i++) {
                all.get(i).await();
                FinishReason expected = i % 2 == 0 ? FinishReason.ABORT : FinishReason.LENGTH;
                assertEquals(expected, all.get(i).reasons.getFirst(), "request " + i);
            }
            EngineStats s = awaitIdle(engine);
            assertEquals(0, s.usedBlocks(), "cancelled and finished requests left no block behind: " + s);
            assertEquals(s.totalBlocks(), s.freeBlocks());
            // and the engine still serves
            assertEquals(1, greedy(engine, "after", List.of(prompts.get(0))).size());
        }
    }

    @Test
    void oneCompletionCanBeStoppedWhileItsSiblingGoesOn() throws Exception {
        try (PagedModelRunner runner = runner(0.01); Engine engine = engine(runner, config())) {
            Collector c = new Collector(2);
            engine.submit(new GenerationRequest("pair", prompts.get(4),
                    SamplingParams.builder().temperature(1.0).seed(9L).n(2).maxTokens(MAX_MODEL_LEN).ignoreEos(true).build(), c));
            assertTrue(c.firstTokens.await(30, TimeUnit.SECONDS));
            engine.finishCompletion("pair", 1);
            c.await();
            assertEquals(FinishReason.STOP, c.reasons.get(1));
            assertEquals(FinishReason.LENGTH, c.reasons.get(0));
            assertTrue(c.ids(1).length < c.ids(0).length, c.ids(1).length + " vs " + c.ids(0).length);
            assertEquals(0, awaitIdle(engine).usedBlocks());
        }
    }

    @Test
    void aFailingClientFailsOnlyItsOwnRequest() throws Exception {
        try (PagedModelRunner runner = runner(0.01); Engine engine = engine(runner, config())) {
            Collector broken = new Collector(1) {
                @Override
                public synchronized void onToken(int index, dev.ovserve.scheduler.sampling.SampledToken token) {
                    super.onToken(index, token);
                    if (tokens.getFirst().size() == 3) {
                        throw new IllegalStateException("client bug");
                    }
                }
            };
            engine.submit(new GenerationRequest("broken", prompts.get(1),
                    SamplingParams.builder().temperature(0).maxTokens(NEW_TOKENS).ignoreEos(true).build(), broken));
            List<int[]> others = greedy(engine, "healthy", prompts.subList(5, 9));
            for (int i = 0; i < others.size(); i++) {
                assertArrayEquals(alone.get(5 + i), others.get(i));
            }
            broken.await();
            assertEquals(FinishReason.ABORT, broken.reasons.getFirst());
            assertEquals(3, broken.ids(0).length);
            assertEquals(0, awaitIdle(engine).usedBlocks());
        }
    }

    @Test
    void aFullWaitingQueueRefusesWithOverloaded() throws Exception {
        try (PagedModelRunner runner = runner(0.01); Engine engine = engine(runner, config().withMaxWaitingRequests(2))) {
            List<Collector> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Collector c = new Collector(1);
                all.add(c);
                engine.submit(new GenerationRequest("q" + i, prompts.get(i),
                        SamplingParams.builder().temperature(0).maxTokens(4).ignoreEos(true).build(), c));
            }
            int refused = 0;
            int served = 0;
            for (Collector c : all) {
                try {
                    c.await();
                    served++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertEquals(dev.ovserve.scheduler.engine.EngineError.Kind.OVERLOADED, c.error.kind());
                    refused++;
                }
            }
            assertTrue(refused > 0, "12 submissions at once against a queue of 2 must refuse some");
            assertTrue(served >= 2, "the queue's own places are served");
            assertEquals(0, awaitIdle(engine).usedBlocks());
            assertEquals(1, greedy(engine, "later", List.of(prompts.get(0))).size(), "places come back once requests are admitted");
        }
    }

    @Test
    void refusesWhatCanNeverRunWithAClearError() throws Exception {
        try (PagedModelRunner runner = runner(0.01); Engine engine = engine(runner, config())) {
            Collector tooLong = new Collector(1);
            engine.submit(new GenerationRequest("long", new int[MAX_MODEL_LEN], SamplingParams.builder().maxTokens(4).build(), tooLong));
            assertTrue(tooLong.error != null && tooLong.error.message().contains("maximum context length"));
            Collector badToken = new Collector(1);
            engine.submit(new GenerationRequest("bad", new int[] {1, 99999}, SamplingParams.builder().maxTokens(4).build(), badToken));
            assertTrue(badToken.error != null && badToken.error.message().contains("vocabulary"));
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package dev.ovserve.models.paged;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.reference.Gpt2Reference;
import dev.ovserve.openvino.Core;
import dev.ovserve.scheduler.BlockCopy;
import dev.ovserve.scheduler.ModelStep;
import dev.ovserve.scheduler.SequenceChunk;
import dev.ovserve.scheduler.StepLogits;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One packed step of several sequences on the real paged model, against the plain-Java GPT-2. */
class PagedModelRunnerTest {
    @TempDir
    static Path dir;
    static Core core;
    static Gpt2Reference reference;
    static PagedModelRunner runner;

    @BeforeAll
    static void load() throws Exception {
        Path ir = TinyModels.build(dir, WeightFormat.FP32);
        reference = Gpt2Reference.load(dir.resolve("hf"));
        core = new Core();
        runner = PagedModelRunner.load(core, ir, PagedModelOptions.cpu(0.002).withProperties(TinyModels.EXACT));
    }

    @AfterAll
    static void close() {
        runner.close();
        core.close();
    }

    /** Blocks [first, first + n): tests hand out disjoint ranges per sequence. */
    static int[] blocks(int first, int n) {
        int[] b = new int[n];
        Arrays.setAll(b, i -> first + i);
        return b;
    }

    static int[] tokens(int seed, int n) {
        int[] t = new int[n];
        Arrays.setAll(t, i -> (seed * 31 + i * 7) % TinyModels.SHAPE.vocab());
        return t;
    }

    @Test
    void discoversTheCacheLayoutFromTheCompiledModel() {
        assertEquals(32, runner.blockSize());
        assertTrue(runner.numBlocks() > 10, "0.002 GiB should hold a few dozen blocks: " + runner.numBlocks());
        assertEquals(TinyModels.SHAPE.vocab(), runner.vocabSize());
    }

    @Test
    void packedPrefillsAndDecodesMatchTheReference() {
        int[] a = tokens(1, 45); // crosses a block boundary
        int[] b = tokens(2, 3);
        int[] c = tokens(3, 70);
        // step 1: three prefills; c only partly (chunked), not sampled
        StepLogits s1 = runner.execute(new ModelStep(List.of(
                new SequenceChunk(1, a, 0, blocks(0, 2), true),
                new SequenceChunk(2, b, 0, blocks(4, 1), true),
                new SequenceChunk(3, Arrays.copyOf(c, 40), 0, blocks(8, 2), false)), List.of()));
        assertEquals(2, s1.rows());
        assertRow(reference.logits(a), s1, 0);
        assertRow(reference.logits(b), s1, 1);

        // step 2: a and b decode one token each, c finishes its prefill in a second chunk
        int[] a2 = append(a, 5);
        int[] b2 = append(b, 6);
        StepLogits s2 = runner.execute(new ModelStep(List.of(
                new SequenceChunk(1, new int[] {5}, a.length, blocks(0, 2), true),
                new SequenceChunk(3, Arrays.copyOfRange(c, 40, 70), 40, blocks(8, 3), true),
                new SequenceChunk(2, new int[] {6}, b.length, blocks(4, 1), true)), List.of()));
        assertEquals(3, s2.rows());
        assertRow(reference.logits(a2), s2, 0);
        assertRow(reference.logits(c), s2, 1);
        assertRow(reference.logits(b2), s2, 2);
    }

    @Test
    void copiedBlocksCarryTheKeysAndValues() {
        int[] p = tokens(9, 40);
        runner.execute(new ModelStep(List.of(new SequenceChunk(7, p, 0, blocks(20, 2), false)), List.of()));
        // a sibling continues from copies of both blocks, written elsewhere
        StepLogits s = runner.execute(new ModelStep(List.of(new SequenceChunk(8, new int[] {11}, p.length, blocks(30, 2), true)),
                List.of(new BlockCopy(20, 30), new BlockCopy(21, 31))));
        assertRow(reference.logits(append(p, 11)), s, 0);
    }

    /**
     * Measured, not assumed: the paged transform keeps the cache key stable (both loads use one
     * blob), but OpenVINO 2026.4's CPU plugin cannot import a PagedAttention model (the import
     * loses the node's k_head_size/num_k_heads runtime info and fails), so the runtime compiles
     * again. Our detection of an import is checked on the unpaged model, which does import. When
     * a runtime fixes this, the first assertion fails and docs/PERFORMANCE.md needs updating.
     */
    @Test
    void theModelCacheKeyIsStableButTheCpuPluginCannotImportAPagedModel() throws Exception {
        Path cacheDir = dir.resolve("model_cache");
        PagedModelOptions options = PagedModelOptions.cpu(0.01).withProperties(TinyModels.EXACT)
                .withProperties(java.util.Map.of("CACHE_DIR", cacheDir.toString()));
        PagedModelRunner.LoadTimes cold;
        PagedModelRunner.LoadTimes warm;
        try (PagedModelRunner r = PagedModelRunner.load(core, dir.resolve("ir-fp32"), options)) {
            cold = r.loadTimes();
        }
        try (PagedModelRunner r = PagedModelRunner.load(core, dir.resolve("ir-fp32"), options)) {
            warm = r.loadTimes();
        }
        assertTrue(!cold.fromCache() && !warm.fromCache(), "cold " + cold + ", warm " + warm);
        try (var files = java.nio.file.Files.list(cacheDir)) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".blob")).count(), "one cache key for both loads");
        }
        assertTrue(warm.warmupSeconds() > 0 && cold.warmupSeconds() > 0);

        Path unpagedCache = dir.resolve("unpaged_cache");
        java.util.Map<String, String> props = java.util.Map.of("CACHE_DIR", unpagedCache.toString());
        String[] imported = new String[2];
        for (int i = 0; i < 2; i++) {
            try (var m = core.readModel(dir.resolve("ir-fp32").resolve(dev.ovserve.models.ir.Gpt2IrConverter.XML));
                 var cm = core.compileModel(m, "CPU", props)) {
                imported[i] = cm.property("LOADED_FROM_CACHE");
            }
        }
        assertEquals(List.of("NO", "YES"), List.of(imported[0].toUpperCase(), imported[1].toUpperCase()));
    }

    @Test
    void rejectsTokensOutsideTheVocabulary() {
        assertThrows(IllegalArgumentException.class, () -> runner.execute(new ModelStep(
                List.of(new SequenceChunk(1, new int[] {TinyModels.SHAPE.vocab()}, 0, blocks(0, 1), true)), List.of())));
    }

    static int[] append(int[] t, int token) {
        int[] out = Arrays.copyOf(t, t.length + 1);
        out[t.length] = token;
        return out;
    }

    static void assertRow(float[][] referenceLogits, StepLogits got, int row) {
        float[] expected = referenceLogits[referenceLogits.length - 1];
        double worst = 0;
        for (int v = 0; v < got.vocabSize(); v++) {
            worst = Math.max(worst, Math.abs(expected[v] - got.logits()[got.offset(row) + v]));
        }
        assertTrue(worst < 1e-3, "row " + row + ": max abs difference " + worst);
    }
}

package dev.ovserve.models.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.RandomGpt2Generator;
import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.StatefulSession;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.reference.Gpt2Reference;
import dev.ovserve.openvino.CompiledModel;
import dev.ovserve.openvino.Core;
import dev.ovserve.openvino.Model;
import dev.ovserve.openvino.PagedAttentionHelper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every INT8/INT4 scheme loads, computes what the plain-Java reference computes on the same
 * dequantized weights, keeps its weights compressed in the CPU plugin's kernels, shrinks the IR,
 * and survives the paged transform.
 */
class CompressedWeightsTest {
    private static final int LAYERS = TinyModels.SHAPE.layers();
    /** q, k, v, attention projection, MLP up and down. */
    private static final int MATRICES_PER_LAYER = 6;

    @TempDir
    static Path dir;
    static Path hf;
    static Core core;
    static final int[] PROMPT = IntStream.range(0, 24).map(i -> (i * 37 + 5) % TinyModels.SHAPE.vocab()).toArray();

    @BeforeAll
    static void setUp() throws Exception {
        hf = new RandomGpt2Generator(TinyModels.SHAPE, TinyModels.SEED, TinyModels.STD).writeTo(dir.resolve("hf"));
        core = new Core();
    }

    @AfterAll
    static void tearDown() {
        core.close();
    }

    /**
     * Each scheme with the runtime-graph key its block matrices must show, and how many. The
     * tiny model's matrices have 64 or 256 input columns: group 128 splits only the MLP's down
     * projection, so the rest falls back to the backup.
     */
    static Stream<Arguments> schemes() {
        WeightOptions int8 = WeightOptions.of(WeightFormat.INT8);
        WeightOptions int4 = WeightOptions.of(WeightFormat.INT4).withGroupSize(32);
        return Stream.of(
                Arguments.of(int8, "FullyConnected/u8", MATRICES_PER_LAYER * LAYERS),
                Arguments.of(int8.withSymmetric(true), "FullyConnected/i8", MATRICES_PER_LAYER * LAYERS),
                Arguments.of(int4, "FullyConnected/i4", MATRICES_PER_LAYER * LAYERS),
                Arguments.of(int4.withSymmetric(false), "FullyConnected/u4", MATRICES_PER_LAYER * LAYERS),
                Arguments.of(int4.withGroupSize(128).withBackup(WeightFormat.FP16), "FullyConnected/i4", LAYERS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemes")
    void computesTheReferenceOnDequantizedWeightsWithWeightsKeptCompressed(WeightOptions options, String compressedKey,
                                                                           int compressedCount) throws Exception {
        Path ir = dir.resolve(options.describe().replaceAll("\\W+", "-"));
        Gpt2IrConverter.convert(hf, ir, options);
        int vocab = TinyModels.SHAPE.vocab();

        // The independent check of the decompression subgraph: the plain-Java reference run on
        // weights quantized and dequantized in Java must match the compressed IR closely.
        float[][] expected = Gpt2Reference.load(DequantizedCopy.write(hf, ir.resolveSibling(ir.getFileName() + "-dq"), options))
                .logits(PROMPT);
        try (StatefulModel lm = StatefulModel.load(core, ir, "CPU", TinyModels.EXACT); StatefulSession s = lm.newSession()) {
            float[] got = s.append(PROMPT);
            double gap = 0;
            for (int t = 0; t < PROMPT.length; t++) {
                for (int v = 0; v < vocab; v++) {
                    gap = Math.max(gap, Math.abs(got[t * vocab + v] - expected[t][v]));
                }
            }
            assertTrue(gap < 2e-3, options.describe() + " differs from the reference on the same dequantized weights by " + gap);
        }

        // Fusion: the plugin's matrix kernels read the compressed codes, not f32 copies.
        try (Model m = core.readModel(ir.resolve(Gpt2IrConverter.XML));
             CompiledModel cm = core.compileModel(m, "CPU", Map.of());
             Model runtime = cm.runtimeModel()) {
            Map<String, Integer> layers = PagedAttentionHelper.layerPrecisions(runtime);
            assertTrue(layers.getOrDefault(compressedKey, 0) >= compressedCount, compressedKey + " in " + layers);
            assertFalse(layers.containsKey("FullyConnected/f32"), "weights folded to f32: " + layers);
        }

        try (Model m = core.readModel(ir.resolve(Gpt2IrConverter.XML))) {
            PagedAttentionHelper.sdpaToPagedAttention(m);
            assertEquals(LAYERS, PagedAttentionHelper.opCounts(m).get("PagedAttentionExtension"));
        }
    }

    @Test
    void int8StaysCloseToFp32AndCompressedIrsAreSmaller() throws Exception {
        float[][] fp32 = Gpt2Reference.load(hf).logits(PROMPT);
        Path fp32Ir = dir.resolve("fp32");
        Gpt2IrConverter.convert(hf, fp32Ir, WeightFormat.FP32);
        long fp32Bytes = Files.size(fp32Ir.resolve(Gpt2IrConverter.BIN));
        Path int8 = dir.resolve("int8-size");
        Path int4 = dir.resolve("int4-size");
        Gpt2IrConverter.convert(hf, int8, WeightFormat.INT8);
        Gpt2IrConverter.convert(hf, int4, WeightOptions.of(WeightFormat.INT4).withGroupSize(32));
        assertTrue(Files.size(int8.resolve(Gpt2IrConverter.BIN)) < fp32Bytes / 3);
        assertTrue(Files.size(int4.resolve(Gpt2IrConverter.BIN)) < Files.size(int8.resolve(Gpt2IrConverter.BIN)));

        try (StatefulModel lm = StatefulModel.load(core, int8, "CPU", TinyModels.EXACT); StatefulSession s = lm.newSession()) {
            float[] got = s.append(PROMPT);
            int vocab = lm.vocabSize();
            int agree = 0;
            for (int t = 0; t < PROMPT.length; t++) {
                float[] row = Arrays.copyOfRange(got, t * vocab, (t + 1) * vocab);
                agree += Gpt2Reference.argmax(row) == Gpt2Reference.argmax(fp32[t]) ? 1 : 0;
            }
            assertTrue(agree >= PROMPT.length * 5 / 6, "INT8 top-1 agreement with FP32: " + agree + "/" + PROMPT.length);
        }
    }
}

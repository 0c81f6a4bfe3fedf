package dev.ovserve.models.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.StatefulSession;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.ir.WeightOptions;
import dev.ovserve.models.paged.PagedModelOptions;
import dev.ovserve.models.paged.PagedModelRunner;
import dev.ovserve.models.quality.FidelityCheck;
import dev.ovserve.openvino.CompiledModel;
import dev.ovserve.openvino.Core;
import dev.ovserve.openvino.Model;
import dev.ovserve.openvino.NativeLibs;
import dev.ovserve.scheduler.engine.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models compressed by someone else load and serve through the same path as ours: NNCF (the
 * compressor behind optimum-intel's INT8/INT4 exports, run from .ovserve/py) compresses our FP32
 * IR, and the result keeps its weights compressed in the CPU kernels, computes what our own
 * export of the same scheme computes, and generates on the paged engine exactly as on the
 * stateful path.
 */
class NncfExportTest {
    static final int GROUP = 32; // the tiny model's matrices are 64 or 256 wide
    static final int NEW_TOKENS = EngineOnRealModelTest.NEW_TOKENS;

    @TempDir
    static Path dir;
    static Path fp32;
    static Core core;
    static final int[] PROMPT = IntStream.range(0, 20).map(i -> (i * 41 + 7) % TinyModels.SHAPE.vocab()).toArray();

    @BeforeAll
    static void setUp() throws Exception {
        fp32 = TinyModels.build(dir, WeightFormat.FP32);
        core = new Core();
    }

    @AfterAll
    static void tearDown() {
        core.close();
    }

    static Stream<Arguments> modes() {
        WeightOptions int8 = WeightOptions.of(WeightFormat.INT8);
        WeightOptions int4 = WeightOptions.of(WeightFormat.INT4).withGroupSize(GROUP);
        return Stream.of(
                Arguments.of("int8_asym", int8, "FullyConnected/u8"),
                Arguments.of("int8_sym", int8.withSymmetric(true), "FullyConnected/i8"),
                Arguments.of("int4_sym", int4, "FullyConnected/i4"),
                Arguments.of("int4_asym", int4.withSymmetric(false), "FullyConnected/u4"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void nncfExportServesLikeOurs(String mode, WeightOptions sameScheme, String compressedKey) throws Exception {
        Path nncf = compressWithNncf(fp32, dir.resolve("nncf-" + mode), mode);
        Path ours = dir.resolve("ours-" + mode);
        Gpt2IrConverter.convert(dir.resolve("hf"), ours, sameScheme);

        try (Model m = core.readModel(nncf.resolve(Gpt2IrConverter.XML));
             CompiledModel cm = core.compileModel(m, "CPU", Map.of());
             Model runtime = cm.runtimeModel()) {
            Map<String, Integer> layers = dev.ovserve.openvino.PagedAttentionHelper.layerPrecisions(runtime);
            assertTrue(layers.getOrDefault(compressedKey, 0) >= 6 * TinyModels.SHAPE.layers(), compressedKey + " in " + layers);
            assertFalse(layers.containsKey("FullyConnected/f32"), "weights folded to f32: " + layers);
        }

        // Same round-to-nearest formulas: NNCF's model and ours differ over ten times less than ours differs from FP32.
        float[] nncfLogits = logits(nncf);
        float[] oursLogits = logits(ours);
        float[] fp32Logits = logits(fp32);
        double nncfVsOurs = maxAbsDiff(nncfLogits, oursLogits);
        double oursVsFp32 = maxAbsDiff(oursLogits, fp32Logits);
        assertTrue(oursVsFp32 > 0 && nncfVsOurs < oursVsFp32 / 10,
                mode + ": NNCF vs ours " + nncfVsOurs + ", ours vs FP32 " + oursVsFp32);

        // The serving path: batched paged generation equals the stateful path on the same export.
        List<int[]> prompts = List.of(PROMPT, Arrays.copyOf(PROMPT, 5), Arrays.copyOf(PROMPT, 13));
        try (PagedModelRunner runner = PagedModelRunner.load(core, nncf, PagedModelOptions.cpu(0.01).withProperties(TinyModels.EXACT));
             Engine engine = new Engine(runner, EngineOnRealModelTest.config(), java.util.Set.of())) {
            List<int[]> batched = EngineOnRealModelTest.greedy(engine, mode, prompts);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(statefulGreedy(nncf, prompts.get(i)), batched.get(i), mode + " prompt " + i);
            }
            assertEquals(0, engine.stats().usedBlocks());
        }
    }

    private static Path compressWithNncf(Path src, Path dst, String mode) throws IOException, InterruptedException {
        Path python = NativeLibs.homeDir().resolve("py/bin/python");
        Path script = Path.of(System.getProperty("ovserve.root", "..")).resolve("scripts/nncf-compress.py");
        if (!Files.isExecutable(python)) {
            throw new IllegalStateException("no NNCF environment at " + python + ": run scripts/setup-python.sh");
        }
        Process p = new ProcessBuilder(python.toString(), script.toString(), src.toString(), dst.toString(), mode,
                String.valueOf(GROUP)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0, "nncf-compress.py failed:\n" + output);
        return dst;
    }

    private static float[] logits(Path ir) {
        try (StatefulModel lm = StatefulModel.load(core, ir, "CPU", TinyModels.EXACT); StatefulSession s = lm.newSession()) {
            return s.append(PROMPT);
        }
    }

    private static int[] statefulGreedy(Path ir, int[] prompt) {
        try (StatefulModel lm = StatefulModel.load(core, ir, "CPU", TinyModels.EXACT)) {
            return FidelityCheck.greedy(lm, prompt, NEW_TOKENS);
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}

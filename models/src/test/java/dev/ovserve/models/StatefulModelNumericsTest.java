package dev.ovserve.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.reference.Gpt2Reference;
import dev.ovserve.openvino.Core;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our converted IR on the real OpenVINO runtime against the independent plain-Java GPT-2. */
class StatefulModelNumericsTest {
    private static final List<int[]> PROMPTS = List.of(
            new int[] {5},
            new int[] {17, 250, 3, 99, 42, 7, 300, 1},
            new int[] {383, 0, 0, 12, 12, 12, 77, 150, 151, 152, 9, 64, 200, 201, 5, 6, 7, 8, 9, 10},
            new int[] {100, 101});

    @TempDir
    static Path dir;
    static Core core;
    static Gpt2Reference reference;
    static StatefulModel fp32;

    @BeforeAll
    static void build() throws Exception {
        Path ir = TinyModels.build(dir, WeightFormat.FP32);
        reference = Gpt2Reference.load(dir.resolve("hf"));
        core = new Core();
        fp32 = StatefulModel.load(core, ir, "CPU", TinyModels.EXACT);
    }

    @AfterAll
    static void close() {
        fp32.close();
        core.close();
    }

    @Test
    void prefillLogitsMatchTheReferenceAtEveryPosition() {
        for (int[] prompt : PROMPTS) {
            float[][] expected = reference.logits(prompt);
            try (StatefulSession s = fp32.newSession()) {
                float[] got = s.append(prompt);
                assertEquals(prompt.length * fp32.vocabSize(), got.length);
                assertClose(expected, got, 1e-3, "prompt of " + prompt.length);
            }
        }
    }

    @Test
    void chunkedAndTokenByTokenFeedingMatchTheReference() {
        int[] prompt = PROMPTS.get(2);
        float[][] expected = reference.logits(prompt);
        try (StatefulSession s = fp32.newSession()) {
            int vocab = fp32.vocabSize();
            float[] first = s.append(java.util.Arrays.copyOfRange(prompt, 0, 7));
            float[] second = s.append(java.util.Arrays.copyOfRange(prompt, 7, 8));
            float[] rest = s.append(java.util.Arrays.copyOfRange(prompt, 8, prompt.length));
            float[] all = new float[prompt.length * vocab];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(second, 0, all, first.length, second.length);
            System.arraycopy(rest, 0, all, first.length + second.length, rest.length);
            assertClose(expected, all, 1e-3, "chunked feeding");
            assertEquals(prompt.length, s.length());
        }
    }

    @Test
    void greedyGenerationIsIdenticalForFortySteps() {
        for (int[] prompt : PROMPTS) {
            int steps = 40;
            int[] expected = reference.greedy(prompt, steps);
            int[] got = new int[steps];
            double minGap = Double.MAX_VALUE;
            try (StatefulSession s = fp32.newSession()) {
                int vocab = fp32.vocabSize();
                float[] logits = s.append(prompt);
                int offset = (prompt.length - 1) * vocab;
                for (int i = 0; i < steps; i++) {
                    float[] row = java.util.Arrays.copyOfRange(logits, offset, offset + vocab);
                    minGap = Math.min(minGap, Gpt2Reference.topTwoGap(row));
                    got[i] = Gpt2Reference.argmax(row);
                    logits = s.append(new int[] {got[i]});
                    offset = 0;
                }
            }
            assertArrayEquals(expected, got, "greedy ids for prompt of " + prompt.length + " (min top-2 gap " + minGap + ")");
            assertTrue(java.util.Arrays.stream(got).distinct().count() > 3, "a degenerate model would prove little");
        }
    }

    @Test
    void fp16WeightsStayCloseToTheReference() throws Exception {
        Path ir = TinyModels.build(dir.resolve("fp16"), WeightFormat.FP16);
        try (StatefulModel fp16 = StatefulModel.load(core, ir, "CPU", TinyModels.EXACT);
             StatefulSession s = fp16.newSession()) {
            int[] prompt = PROMPTS.get(1);
            // f16 weights carry ~3 significant digits; logits here span about ±10.
            assertClose(reference.logits(prompt), s.append(prompt), 5e-2, "fp16");
        }
    }

    @Test
    void compilesWithTheLatencyHintByDefault() {
        assertTrue(fp32.executionDevices().contains("CPU"), fp32.executionDevices().toString());
    }

    static void assertClose(float[][] expected, float[] got, double tolerance, String what) {
        int vocab = expected[0].length;
        double worst = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < vocab; v++) {
                worst = Math.max(worst, Math.abs(expected[t][v] - got[t * vocab + v]));
            }
        }
        System.out.printf("%s: max abs logit difference vs reference %.3g%n", what, worst);
        assertTrue(worst <= tolerance, what + ": max abs logit difference " + worst + " > " + tolerance);
    }

}

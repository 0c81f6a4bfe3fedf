package dev.ovserve.models.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.RandomGpt2Generator;
import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.ir.WeightOptions;
import dev.ovserve.openvino.Core;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check on real OpenVINO models: FP32 against itself, INT8 and INT4 copies of it. */
class FidelityCheckTest {
    private static final int NEW_TOKENS = 16;
    private static final int VOCAB = TinyModels.SHAPE.vocab();
    private static final int[][] PROMPTS = {
            {5},
            {17, 250, 3, 99, 42, 7, 300, 1},
            IntStream.range(0, 24).map(i -> (i * 37 + 5) % VOCAB).toArray(),
            {383, 0, 0, 12, 12, 12, 77, 150, 151, 152, 9, 64},
            {100, 101}};

    @TempDir
    static Path dir;
    static Core core;
    static StatefulModel fp32;

    @BeforeAll
    static void build() throws Exception {
        Path hf = dir.resolve("hf");
        new RandomGpt2Generator(TinyModels.SHAPE, TinyModels.SEED, TinyModels.STD).writeTo(hf);
        core = new Core();
        fp32 = load(hf, WeightFormat.FP32);
    }

    @AfterAll
    static void close() {
        fp32.close();
        core.close();
    }

    /** Group 32 so INT4 covers every matrix of the 64-wide tiny model (the default 128 would fall back to INT8). */
    private static StatefulModel load(Path hf, WeightFormat format) throws Exception {
        Path ir = dir.resolve("ir-" + format.name().toLowerCase());
        Gpt2IrConverter.convert(hf, ir, WeightOptions.of(format).withGroupSize(32));
        return StatefulModel.load(core, ir, "CPU", TinyModels.EXACT);
    }

    private static int expectedPositions() {
        return Arrays.stream(PROMPTS).mapToInt(p -> p.length + NEW_TOKENS - 1).sum();
    }

    @Test
    void aModelFollowsItselfExactly() throws Exception {
        try (StatefulModel again = StatefulModel.load(core, dir.resolve("ir-fp32"), "CPU", TinyModels.EXACT)) {
            FidelityReport r = FidelityCheck.run(fp32, again, PROMPTS, NEW_TOKENS);
            assertEquals(PROMPTS.length, r.prompts());
            assertEquals(expectedPositions(), r.positions());
            assertTrue(r.meanKl() < 1e-6 && r.maxKl() < 1e-6, r.toString());
            assertEquals(1.0, r.top1Agreement(), r.toString());
            assertEquals(0.0, r.maxTop1Regret(), r.toString());
            assertTrue(r.medianReferenceMargin() > 0, r.toString());
            assertEquals(PROMPTS.length, r.fullMatches(), r.toString());
            assertEquals(NEW_TOKENS, r.minGreedyPrefix(), r.toString());
            assertEquals(NEW_TOKENS, r.meanGreedyPrefix(), r.toString());
        }
    }

    @Test
    void int4DivergesMoreThanInt8() throws Exception {
        Path hf = dir.resolve("hf");
        FidelityReport int8;
        FidelityReport int4;
        try (StatefulModel m = load(hf, WeightFormat.INT8)) {
            int8 = FidelityCheck.run(fp32, m, PROMPTS, NEW_TOKENS);
        }
        try (StatefulModel m = load(hf, WeightFormat.INT4)) {
            int4 = FidelityCheck.run(fp32, m, PROMPTS, NEW_TOKENS);
        }
        assertEquals(expectedPositions(), int8.positions());
        assertTrue(int8.meanKl() > 0 && int8.maxKl() >= int8.meanKl(), int8.toString());
        assertTrue(int8.top1Agreement() >= 0.8, int8.toString());
        assertTrue(int4.meanKl() > int8.meanKl(), "INT4 " + int4 + " vs INT8 " + int8);
        for (FidelityReport r : new FidelityReport[] {int8, int4}) {
            assertTrue(r.minGreedyPrefix() <= r.meanGreedyPrefix() && r.meanGreedyPrefix() <= NEW_TOKENS, r.toString());
            assertTrue(r.fullMatches() <= r.prompts(), r.toString());
            // A disagreement means the reference rated the candidate's pick strictly lower than its own.
            assertEquals(r.top1Agreement() < 1, r.maxTop1Regret() > 0, r.toString());
        }
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> FidelityCheck.run(fp32, fp32, new int[][] {{1, VOCAB}}, 4));
        assertThrows(IllegalArgumentException.class, () -> FidelityCheck.run(fp32, fp32, new int[][] {{}}, 4));
        assertThrows(IllegalArgumentException.class, () -> FidelityCheck.run(fp32, fp32, PROMPTS, 0));
        assertThrows(IllegalArgumentException.class, () -> FidelityCheck.run(fp32, fp32, new int[0][], 4));
    }
}

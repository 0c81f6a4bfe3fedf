package dev.ovserve.server.cli;

import static dev.ovserve.server.cli.CliEndToEndTest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.RandomGpt2Generator;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.tokenizer.TokenizerJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ovserve quality} on tiny FP32 and INT8 IRs with the byte-level test tokenizer. */
class QualityCommandTest {
    @TempDir
    static Path dir;
    static Path fp32;
    static Path int8;

    @BeforeAll
    static void buildModels() throws Exception {
        Path hf = dir.resolve("hf");
        new RandomGpt2Generator(TinyModels.SHAPE, TinyModels.SEED, TinyModels.STD).writeTo(hf);
        TokenizerJson.bytes(TinyModels.SHAPE.vocab(), hf);
        fp32 = dir.resolve("ir-fp32");
        int8 = dir.resolve("ir-int8");
        Gpt2IrConverter.convert(hf, fp32, WeightFormat.FP32);
        Gpt2IrConverter.convert(hf, int8, WeightFormat.INT8);
    }

    @Test
    void reportsEveryMetricAndATableRow() {
        CliEndToEndTest.Run r = run("quality", "--reference", fp32.toString(), "--model", int8.toString(), "--max-tokens", "8", "--exact");
        assertEquals(0, r.status(), r.err());
        for (String metric : new String[] {"mean KL(reference || model):", "max KL:", "top-1 agreement:", "worst top-1 regret:",
                "reference's median top-1 margin:", "greedy agreement:",
                "full matches:", "INFERENCE_PRECISION_HINT=f32", "prompts: " + QualityCommand.PROMPTS.size() + ","}) {
            assertTrue(r.out().contains(metric), metric + " in\n" + r.out());
        }
        assertTrue(r.out().contains("| model | mean KL | max KL | top-1 agreement | worst top-1 regret | reference median margin "
                + "| greedy agreement (mean/min of 8) | full matches |"),
                r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("| ir-int8 (exact f32) | ") && l.endsWith("/" + QualityCommand.PROMPTS.size() + " |")),
                r.out());
    }

    @Test
    void aModelAgainstItselfMatchesEverywhere() {
        CliEndToEndTest.Run r = run("quality", "--reference", fp32.toString(), "--model", fp32.toString(), "--max-tokens", "6");
        assertEquals(0, r.status(), r.err());
        int n = QualityCommand.PROMPTS.size();
        assertTrue(r.out().contains("top-1 agreement: 100.0% of positions"), r.out());
        assertTrue(r.out().contains("greedy agreement: common prefix mean 6.0, min 6 of 6 tokens"), r.out());
        assertTrue(r.out().contains("full matches: " + n + "/" + n + " prompts"), r.out());
        assertTrue(r.out().contains("PERFORMANCE_HINT=LATENCY") && !r.out().contains("INFERENCE_PRECISION_HINT"), r.out());
    }

    @Test
    void promptsFileReplacesTheBuiltInSet() throws Exception {
        Path file = dir.resolve("prompts.txt");
        Files.writeString(file, "Hello there\n\nThe weather today is\n");
        CliEndToEndTest.Run r = run("quality", "--reference", fp32.toString(), "--model", int8.toString(), "--max-tokens", "4",
                "--prompts", file.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("prompts: 2,"), r.out());
    }

    @Test
    void badInputGetsAOneLineMessage() {
        CliEndToEndTest.Run missing = run("quality", "--reference", dir.resolve("missing").toString(), "--model", int8.toString());
        assertEquals(1, missing.status());
        assertEquals("ovserve: reference directory " + dir.resolve("missing") + " does not exist", missing.err().strip());
        assertFalse(missing.err().contains("\tat "), missing.err());

        CliEndToEndTest.Run tooLong = run("quality", "--reference", fp32.toString(), "--model", int8.toString(), "--max-tokens", "1000");
        assertEquals(1, tooLong.status());
        assertTrue(tooLong.err().contains("exceeds the model's " + TinyModels.SHAPE.context() + " positions"), tooLong.err());

        CliEndToEndTest.Run noModel = run("quality", "--reference", fp32.toString());
        assertEquals(2, noModel.status(), "usage error");
    }
}

package dev.ovserve.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.safetensors.DType;
import dev.ovserve.models.safetensors.SafetensorsFile;
import dev.ovserve.models.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomGpt2GeneratorTest {
    @TempDir
    Path tmp;

    private static final Gpt2Shape SHAPE = new Gpt2Shape(2, 4, 16, 37, 12);

    @Test
    void writesHuggingFaceNamesAndShapes() throws IOException {
        Path dir = RandomGpt2Generator.write(tmp.resolve("m"), SHAPE, 1);
        assertTrue(Files.exists(dir.resolve("config.json")));
        assertTrue(Files.exists(dir.resolve("generation_config.json")));
        assertFalse(Files.exists(dir.resolve("tokenizer.json")), "the tokenizer is another module's job");
        assertEquals(Gpt2Config.of(SHAPE), Gpt2Config.load(dir));
        assertEquals(List.of(36), GenerationConfig.load(dir).eosTokenIds());

        List<String> expected = new ArrayList<>(List.of("wte.weight", "wpe.weight"));
        for (int i = 0; i < 2; i++) {
            for (String s : List.of("ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                    "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight",
                    "mlp.c_proj.bias")) {
                expected.add("h." + i + "." + s);
            }
        }
        expected.addAll(List.of("ln_f.weight", "ln_f.bias"));

        try (var f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals(expected, f.names(), "no lm_head (tied), no transformer. prefix");
            assertShape(f, "wte.weight", 37, 16);
            assertShape(f, "wpe.weight", 12, 16);
            assertShape(f, "h.1.ln_1.weight", 16);
            assertShape(f, "h.1.attn.c_attn.weight", 16, 48);
            assertShape(f, "h.1.attn.c_attn.bias", 48);
            assertShape(f, "h.1.attn.c_proj.weight", 16, 16);
            assertShape(f, "h.1.mlp.c_fc.weight", 16, 64);
            assertShape(f, "h.1.mlp.c_fc.bias", 64);
            assertShape(f, "h.1.mlp.c_proj.weight", 64, 16);
            assertShape(f, "h.1.mlp.c_proj.bias", 16);
            assertShape(f, "ln_f.bias", 16);
            long params = f.tensors().stream().mapToLong(TensorInfo::elementCount).sum();
            assertEquals(SHAPE.parameterCount(), params);
            assertTrue(f.tensors().stream().allMatch(t -> t.dtype() == DType.F32));
        }
    }

    @Test
    void distilgpt2ShapeHasItsKnownParameterCount() {
        // distilgpt2 has 81,912,576 parameters excluding the tied lm_head
        assertEquals(81_912_576L, Gpt2Shape.DISTILGPT2.parameterCount());
    }

    @Test
    void sameSeedSameBytesDifferentSeedDifferentBytes() throws IOException {
        Path a = new RandomGpt2Generator(SHAPE, 42, 0.2).writeTo(tmp.resolve("a"));
        Path b = new RandomGpt2Generator(SHAPE, 42, 0.2).writeTo(tmp.resolve("b"));
        Path c = new RandomGpt2Generator(SHAPE, 43, 0.2).writeTo(tmp.resolve("c"));
        for (String file : List.of("model.safetensors", "config.json", "generation_config.json")) {
            assertEquals(-1, Files.mismatch(a.resolve(file), b.resolve(file)), file);
        }
        assertNotEquals(-1, Files.mismatch(a.resolve("model.safetensors"), c.resolve("model.safetensors")));
        try (var fa = SafetensorsFile.open(a.resolve("model.safetensors"));
             var fc = SafetensorsFile.open(c.resolve("model.safetensors"))) {
            for (String name : fa.names()) {
                assertFalse(java.util.Arrays.equals(fa.readFloats(name), fc.readFloats(name)), name + " must depend on the seed");
            }
        }
    }

    @Test
    void valuesFollowTheRequestedInit() throws IOException {
        Gpt2Shape shape = new Gpt2Shape(1, 2, 64, 500, 32);
        Path dir = new RandomGpt2Generator(shape, 7, 0.25).writeTo(tmp.resolve("m"));
        try (var f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            float[] wte = f.readFloats("wte.weight");
            assertEquals(0.0, mean(wte), 0.01);
            assertEquals(0.25, std(wte), 0.01);
            float[] lnScale = f.readFloats("h.0.ln_1.weight");
            assertEquals(1.0, mean(lnScale), 0.1);
            assertTrue(std(lnScale) > 0.1, "layer-norm scales carry noise so they are exercised");
            float[] bias = f.readFloats("h.0.mlp.c_fc.bias");
            assertEquals(0.0, mean(bias), 0.05);
            assertTrue(std(bias) > 0.1, "biases are non-zero so they are exercised");
            // Different tensors of the same shape are not copies of each other
            assertFalse(java.util.Arrays.equals(f.readFloats("h.0.ln_1.bias"), f.readFloats("h.0.ln_2.bias")));
        }
    }

    @Test
    void f16StorageHoldsTheRoundedF32Values() throws IOException {
        Path f32 = new RandomGpt2Generator(SHAPE, 5, 0.1, DType.F32).writeTo(tmp.resolve("f32"));
        Path f16 = new RandomGpt2Generator(SHAPE, 5, 0.1, DType.F16).writeTo(tmp.resolve("f16"));
        try (var a = SafetensorsFile.open(f32.resolve("model.safetensors"));
             var b = SafetensorsFile.open(f16.resolve("model.safetensors"))) {
            assertEquals(DType.F16, b.info("wte.weight").dtype());
            float[] full = a.readFloats("h.0.attn.c_attn.weight");
            float[] half = b.readFloats("h.0.attn.c_attn.weight");
            for (int i = 0; i < full.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(full[i])), half[i]);
            }
        }
    }

    private static void assertShape(SafetensorsFile f, String name, long... shape) {
        assertArrayEquals(shape, f.info(name).shape(), name);
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(float[] v) {
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }
}

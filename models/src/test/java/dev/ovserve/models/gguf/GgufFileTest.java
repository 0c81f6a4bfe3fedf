package dev.ovserve.models.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovserve.models.quant.QuantizedMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our GGUF reader against the {@code gguf} PyPI package (llama.cpp's Python writer and numpy
 * dequantizer): the fixture and its expected values come from make_fixtures.py.
 */
class GgufFileTest {
    static Path fixtures;
    static JsonNode expected;

    @BeforeAll
    static void load() throws Exception {
        fixtures = Path.of(GgufFileTest.class.getResource("/gguf/quants.gguf").toURI()).getParent();
        expected = new ObjectMapper().readTree(fixtures.resolve("quants.expected.json").toFile());
    }

    @Test
    void readsEveryMetadataValueType() throws Exception {
        try (GgufFile f = GgufFile.open(fixtures.resolve("quants.gguf"))) {
            assertEquals(3, f.version());
            assertEquals("llama", f.string("general.architecture"));
            var meta = f.metadata();
            for (var e : expected.get("metadata").properties()) {
                JsonNode v = e.getValue();
                Object got = meta.get(e.getKey());
                if (v.isArray()) {
                    List<?> list = (List<?>) got;
                    assertEquals(v.size(), list.size(), e.getKey());
                    for (int i = 0; i < v.size(); i++) {
                        assertEquals(v.get(i).isTextual() ? v.get(i).asText() : (Object) v.get(i).asLong(), list.get(i), e.getKey());
                    }
                } else if (v.isBoolean()) {
                    assertEquals(v.asBoolean(), got, e.getKey());
                } else if (v.isTextual()) {
                    assertEquals(v.asText(), got, e.getKey());
                } else if (v.isIntegralNumber()) {
                    assertEquals(v.asLong(), got, e.getKey());
                } else {
                    double want = e.getKey().equals("test.f32") ? (float) v.asDouble() : v.asDouble();
                    assertEquals(want, (Double) got, 0.0, e.getKey());
                }
            }
        }
    }

    @Test
    void dequantizesLikeGgufsNumpyReference() throws Exception {
        try (GgufFile f = GgufFile.open(fixtures.resolve("quants.gguf"))) {
            for (var e : expected.get("tensors").properties()) {
                JsonNode t = e.getValue();
                GgufTensor info = f.tensor(e.getKey());
                assertEquals(t.get("type").asText(), info.type().name());
                assertEquals(t.get("shape").get(1).asLong(), info.cols());
                assertEquals(t.get("shape").get(0).asLong(), info.rows());
                float[] want = new float[t.get("values").size()];
                for (int i = 0; i < want.length; i++) {
                    want[i] = (float) t.get("values").get(i).asDouble();
                }
                float[] got = f.floats(e.getKey());
                for (int i = 0; i < want.length; i++) {
                    // numpy computes d * q (+ m) in float32 like us; allow one rounding of difference
                    assertEquals(want[i], got[i], Math.ulp(want[i]) * 2 + 1e-7f, e.getKey() + " element " + i);
                }
            }
        }
    }

    @Test
    void keepsBlocksAsCodesScalesAndMinimums() throws Exception {
        try (GgufFile f = GgufFile.open(fixtures.resolve("quants.gguf"))) {
            QuantizedMatrix q41 = f.quantized("block_q4_1");
            assertEquals(4, q41.bits());
            assertEquals(32, q41.groupSize());
            assertTrue(q41.mins() != null && q41.zeroPoints() == null);
            assertTrue(java.util.Arrays.stream(q41.values()).allMatch(v -> v >= 0 && v <= 15));
            // the flat block: scale 0, every code 0, the value all in the minimum
            assertEquals(0f, q41.scales()[2]);
            assertEquals(0.5f, q41.mins()[2]);
            QuantizedMatrix q40 = f.quantized("block_q4_0");
            assertEquals(8, q40.zeroPoints()[0]);
            QuantizedMatrix q8 = f.quantized("block_q8_0");
            assertTrue(q8.signed() && q8.bits() == 8 && q8.zeroPoints() == null);
            assertThrows(IllegalArgumentException.class, () -> f.quantized("plain_f32"));
            assertThrows(IllegalArgumentException.class, () -> f.floats("no_such_tensor"));
        }
    }

    @Test
    void refusesWhatIsNotGguf(@TempDir Path tmp) throws Exception {
        Path notGguf = Files.write(tmp.resolve("x.gguf"), new byte[64]);
        var e = assertThrows(IllegalArgumentException.class, () -> GgufFile.open(notGguf));
        assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());
        byte[] whole = Files.readAllBytes(fixtures.resolve("quants.gguf"));
        Path truncated = Files.write(tmp.resolve("t.gguf"), java.util.Arrays.copyOf(whole, 200));
        assertThrows(IllegalArgumentException.class, () -> GgufFile.open(truncated));
        Path cut = Files.write(tmp.resolve("c.gguf"), java.util.Arrays.copyOf(whole, whole.length - 100));
        var e2 = assertThrows(IllegalArgumentException.class, () -> GgufFile.open(cut));
        assertTrue(e2.getMessage().contains("past the end"), e2.getMessage());
    }

    @Test
    void unpermutesRotaryRowsAsLlamaCppPermutedThem() {
        // 2 heads of 4 rows: llama.cpp's permute takes HF rows [0 1 2 3] to [0 2 1 3] per head
        float[] hf = {0, 1, 2, 3, 4, 5, 6, 7};
        float[] gguf = {0, 2, 1, 3, 4, 6, 5, 7};
        assertArrayEquals(hf, GgufModel.unpermuteRows(gguf, 1, 2));
        float[] hf8 = {0, 1, 2, 3, 4, 5, 6, 7};
        float[] gguf8 = {0, 4, 1, 5, 2, 6, 3, 7}; // one head of 8: halves interleaved
        assertArrayEquals(hf8, GgufModel.unpermuteRows(gguf8, 1, 1));
    }
}

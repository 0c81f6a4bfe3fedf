package dev.ovserve.models.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path tmp;

    private static final float[] F32_VALUES = {
        0f, -0f, 1f, -1.5f, 3.4028235e38f, -3.4028235e38f, 1e-40f /* subnormal */, Float.MIN_VALUE, 123456.78f,
        Float.NaN, Float.POSITIVE_INFINITY, -7.25e-3f
    };

    @Test
    void f32RoundTripPreservesEveryBit() throws IOException {
        Path file = tmp.resolve("f32.safetensors");
        float[] matrix = new float[3 * 4];
        for (int i = 0; i < matrix.length; i++) {
            matrix[i] = i * 0.5f - 2;
        }
        try (var w = SafetensorsWriter.create(file, List.of(
                TensorSpec.of("a", DType.F32, F32_VALUES.length),
                TensorSpec.of("m", DType.F32, 3, 4),
                TensorSpec.of("empty", DType.F32, 0, 5)))) {
            w.writeFloats("a", F32_VALUES);
            w.writeFloats("m", matrix);
            w.writeFloats("empty", new float[0]);
        }
        try (var f = SafetensorsFile.open(file)) {
            assertEquals(List.of("a", "m", "empty"), f.names());
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertArrayEquals(bits(F32_VALUES), bits(f.readFloats("a")));
            assertArrayEquals(matrix, f.readFloats("m"));
            assertArrayEquals(new long[] {3, 4}, f.info("m").shape());
            assertEquals(DType.F32, f.info("m").dtype());
            assertEquals(48, f.info("m").byteSize());
            assertEquals(0, f.readFloats("empty").length);
            // The slice is the raw little-endian bytes: -2.0f is 0xC0000000 -> 00 00 00 C0
            MemorySegment m = f.slice("m");
            assertEquals(48, m.byteSize());
            assertEquals((byte) 0xC0, m.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals(0, m.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void f16RoundTripRoundsToHalfPrecision() throws IOException {
        Path file = tmp.resolve("f16.safetensors");
        float[] in = {1f, -2.5f, 0.1f, 65504f, 70000f, 1e-7f, 5.9604645e-8f, 1e-8f, -0f, 6.1035156e-5f};
        // Hand-rounded to the nearest F16: 0.1 -> 1638/16384; 1e-7 -> 2 * 2^-24 (subnormal);
        // 2^-24 is the smallest subnormal; 1e-8 underflows to 0; 70000 overflows to +inf.
        float[] expected = {1f, -2.5f, 0.0999755859375f, 65504f, Float.POSITIVE_INFINITY, 1.1920929e-7f, 5.9604645e-8f, 0f,
            -0f, 6.1035156e-5f};
        try (var w = SafetensorsWriter.create(file, List.of(TensorSpec.of("h", DType.F16, 2, 5)))) {
            w.writeFloats("h", in);
        }
        try (var f = SafetensorsFile.open(file)) {
            assertArrayEquals(bits(expected), bits(f.readFloats("h")));
            assertEquals(20, f.info("h").byteSize());
            // 1.0 in F16 is 0x3C00, stored little-endian
            MemorySegment raw = f.slice("h");
            assertEquals(0x00, raw.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0x3C, raw.get(ValueLayout.JAVA_BYTE, 1));
        }
    }

    @Test
    void bf16BytesAreReadAsUpperHalfOfFloat32() throws IOException {
        // Hand-made file: 1.0 (0x3F80), -2.5 (0xC020), 3.140625 (0x4049), smallest subnormal 2^-133 (0x0001)
        Path file = rawFile("{\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
                new byte[] {(byte) 0x80, 0x3F, 0x20, (byte) 0xC0, 0x49, 0x40, 0x01, 0x00});
        try (var f = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {1f, -2.5f, 3.140625f, (float) Math.pow(2, -133)}, f.readFloats("b"));
        }
        // And the writer narrows float32 to those same bytes.
        Path written = tmp.resolve("bf16.safetensors");
        try (var w = SafetensorsWriter.create(written, List.of(TensorSpec.of("b", DType.BF16, 4)))) {
            w.writeFloats("b", new float[] {1f, -2.5f, (float) Math.PI, (float) Math.pow(2, -133)});
        }
        try (var f = SafetensorsFile.open(written)) {
            assertArrayEquals(new byte[] {(byte) 0x80, 0x3F, 0x20, (byte) 0xC0, 0x49, 0x40, 0x01, 0x00},
                    f.slice("b").toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void headerIsSpacePaddedTo8ByteAlignmentWithConsecutiveOffsets() throws IOException {
        for (String name : List.of("x", "xy", "xyz", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh")) {
            Path file = tmp.resolve(name + ".safetensors");
            try (var w = SafetensorsWriter.create(file, List.of(TensorSpec.of(name, DType.F16, 3),
                    TensorSpec.of("second", DType.F32, 2)), Map.of())) {
                w.writeFloats(name, new float[] {1, 2, 3});
                w.writeFloats("second", new float[] {4, 5});
            }
            byte[] bytes = Files.readAllBytes(file);
            long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, (8 + headerLength) % 8, "data must start 8-byte aligned");
            String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
            String json = header.stripTrailing();
            assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), "padding must be spaces");
            assertTrue(header.length() - json.length() < 8, "no more padding than needed");
            assertEquals(8 + headerLength + 6 + 8, bytes.length, "data is exactly the tensors, back to back");
            JsonNode root = new ObjectMapper().readTree(json);
            assertEquals("[0,6]", root.get(name).get("data_offsets").toString());
            assertEquals("[6,14]", root.get("second").get("data_offsets").toString());
            assertFalse(root.has("__metadata__"));
        }
    }

    @Test
    void rejectsTruncatedData() throws IOException {
        Path file = tmp.resolve("full.safetensors");
        try (var w = SafetensorsWriter.create(file, List.of(TensorSpec.of("t", DType.F32, 10)))) {
            w.writeFloats("t", new float[10]);
        }
        byte[] bytes = Files.readAllBytes(file);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 3));
        var e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(cut));
        assertTrue(e.getMessage().contains("'t'") && e.getMessage().contains("truncated"), e.getMessage());

        Path headerCut = tmp.resolve("header-cut.safetensors");
        Files.write(headerCut, Arrays.copyOf(bytes, 20));
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(headerCut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(tiny));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsUnknownDtype() throws IOException {
        Path file = rawFile("{\"t\":{\"dtype\":\"F17\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]);
        var e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains("unknown dtype 'F17'") && e.getMessage().contains("'t'"), e.getMessage());
    }

    @Test
    void rejectsOverlappingAndInconsistentOffsets() throws IOException {
        Path overlap = rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        var e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(overlap));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());

        Path wrongSize = rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[12]);
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(wrongSize));
        assertTrue(e.getMessage().contains("needs 12 bytes"), e.getMessage());

        Path outOfRange = rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[12]);
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(outOfRange));
        assertTrue(e.getMessage().contains("past the end"), e.getMessage());

        Path backwards = rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", new byte[12]);
        assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(backwards));

        Path duplicate = rawFile("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", new byte[2]);
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(duplicate));
        assertTrue(e.getMessage().contains("Duplicate"), e.getMessage());

        Path notJson = rawFile("{\"a\": nope", new byte[0]);
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(notJson));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void ignoresMetadataAndReportsMissingTensors() throws IOException {
        Path file = rawFile("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                new byte[] {7, 0, 0, 0});
        try (var f = SafetensorsFile.open(file)) {
            assertEquals(List.of("a"), f.names());
            assertEquals("pt", f.metadata().get("format"));
            assertEquals(7, f.slice("a").get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0));
            assertThrows(SafetensorsException.class, () -> f.readFloats("a"), "I32 is not a float type");
            var e = assertThrows(IllegalArgumentException.class, () -> f.slice("b"));
            assertTrue(e.getMessage().contains("'b'"));
        }
    }

    @Test
    void slicesDieWithTheFile() throws IOException {
        Path file = rawFile("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[] {5});
        MemorySegment slice;
        try (var f = SafetensorsFile.open(file)) {
            slice = f.slice("a");
            assertEquals(5, slice.get(ValueLayout.JAVA_BYTE, 0));
        }
        assertThrows(IllegalStateException.class, () -> slice.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void writerEnforcesOrderSizesAndCompleteness() throws IOException {
        Path file = tmp.resolve("w.safetensors");
        List<TensorSpec> specs = List.of(TensorSpec.of("a", DType.F32, 2), TensorSpec.of("b", DType.F32, 2));
        try (var w = SafetensorsWriter.create(file, specs)) {
            assertThrows(IllegalStateException.class, () -> w.writeFloats("b", new float[2]));
            assertThrows(IllegalArgumentException.class, () -> w.writeFloats("a", new float[3]));
            w.writeFloats("a", new float[2]);
            w.writeBytes("b", MemorySegment.ofArray(new byte[8]));
            assertThrows(IllegalStateException.class, () -> w.writeFloats("c", new float[1]));
        }
        assertTrue(Files.exists(file));

        Path partial = tmp.resolve("partial.safetensors");
        var w = SafetensorsWriter.create(partial, specs);
        w.writeFloats("a", new float[] {1, 2});
        var e = assertThrows(IllegalStateException.class, w::close);
        assertTrue(e.getMessage().contains("1 of 2"), e.getMessage());
        assertFalse(Files.exists(partial), "an incomplete file must not be left behind");

        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.create(tmp.resolve("dup.safetensors"), List.of(specs.get(0), specs.get(0))));
    }

    @Test
    void writerStreamsTensorsLargerThanItsChunk() throws IOException {
        // 600k floats = 2.4 MB F32 / 1.2 MB F16: several 1 MiB chunks, with a partial last one
        float[] big = new float[600_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) Math.sin(i * 0.001) * 100;
        }
        Path file = tmp.resolve("big.safetensors");
        try (var w = SafetensorsWriter.create(file, List.of(TensorSpec.of("f", DType.F32, big.length),
                TensorSpec.of("h", DType.F16, big.length)))) {
            w.writeFloats("f", big);
            w.writeFloats("h", big);
        }
        try (var f = SafetensorsFile.open(file)) {
            assertArrayEquals(big, f.readFloats("f"));
            float[] h = f.readFloats("h");
            for (int i = 0; i < big.length; i += 997) {
                assertEquals(big[i], h[i], Math.abs(big[i]) / 1024 + 1e-7, "F16 keeps ~11 significant bits at " + i);
            }
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(big[big.length - 1])), h[big.length - 1]);
        }
    }

    /** A file with the given header bytes (no padding) followed by {@code data}. */
    private Path rawFile(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path file = Files.createTempFile(tmp, "raw", ".safetensors");
        Files.write(file, b.array());
        return file;
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}

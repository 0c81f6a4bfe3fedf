package dev.ovserve.models.gguf;

import dev.ovserve.models.quant.QuantizedMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (versions 2 and 3), memory-mapped: the header, the metadata key/values and the
 * tensor directory are parsed on open; tensor data is read on demand, either dequantized to
 * float32 or, for Q8_0, Q4_0 and Q4_1, as the blocks' own codes, scales and minimums.
 *
 * <p>Metadata values become Java objects: unsigned and signed integers {@code Long}, floats
 * {@code Double}, {@code Boolean}, {@code String}, and arrays {@code List}.
 */
public final class GgufFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensor> tensors;
    private final long dataStart;
    private long pos;

    private GgufFile(Path path) throws IOException {
        this.path = path;
        this.arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            this.file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        try {
            if (file.byteSize() < 24 || file.get(INT, 0) != MAGIC) {
                throw new IllegalArgumentException(path + " is not a GGUF file (bad magic)");
            }
            version = file.get(INT, 4);
            if (version != 2 && version != 3) {
                throw new IllegalArgumentException(path + ": GGUF version " + version + " is not supported (2 and 3 are)");
            }
            pos = 8;
            long tensorCount = u64("tensor count");
            long kvCount = u64("metadata count");
            Map<String, Object> meta = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string();
                meta.put(key, value(file.get(INT, advance(4))));
            }
            metadata = Collections.unmodifiableMap(meta);
            Map<String, GgufTensor> ts = new LinkedHashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = string();
                int nDims = file.get(INT, advance(4));
                if (nDims < 0 || nDims > 4) {
                    throw new IllegalArgumentException("tensor " + name + " has " + nDims + " dimensions");
                }
                long[] dims = new long[nDims];
                for (int d = 0; d < nDims; d++) {
                    dims[d] = u64("dimension");
                }
                GgmlType type = GgmlType.of(file.get(INT, advance(4)));
                ts.put(name, new GgufTensor(name, type, dims, u64("offset")));
            }
            tensors = Collections.unmodifiableMap(ts);
            long alignment = metadata.get("general.alignment") instanceof Long a ? a : 32;
            dataStart = (pos + alignment - 1) / alignment * alignment;
            for (GgufTensor t : tensors.values()) {
                if (t.type().supported() && dataStart + t.offset() + t.byteSize() > file.byteSize()) {
                    throw new IllegalArgumentException(path + ": tensor " + t.name() + " runs past the end of the file");
                }
            }
        } catch (IndexOutOfBoundsException e) {
            arena.close();
            throw new IllegalArgumentException(path + " is truncated or corrupt: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public static GgufFile open(Path path) throws IOException {
        return new GgufFile(path);
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("tensor " + name + " is missing from " + path);
        }
        return t;
    }

    public String string(String key) {
        return metadata.get(key) instanceof String s ? s : null;
    }

    public long integer(String key, long fallback) {
        return metadata.get(key) instanceof Long l ? l : fallback;
    }

    public double real(String key, double fallback) {
        Object v = metadata.get(key);
        return v instanceof Double d ? d : v instanceof Long l ? l : fallback;
    }

    /** Every element of the tensor as float32, ggml order (rows of {@code cols()} contiguous values). */
    public float[] floats(String name) {
        GgufTensor t = tensor(name);
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " has too many elements for one array: " + n);
        }
        float[] out = new float[(int) n];
        long base = dataStart + t.offset();
        switch (t.type()) {
            case F32 -> MemorySegment.copy(file, FLOAT, base, out, 0, out.length);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(file.get(SHORT, base + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((file.get(SHORT, base + 2L * i) & 0xFFFF) << 16);
                }
            }
            case Q8_0, Q4_0, Q4_1 -> {
                QuantizedMatrix q = quantized(name);
                for (int r = 0, i = 0; r < q.rows(); r++) {
                    for (int c = 0; c < q.cols(); c++) {
                        out[i++] = q.dequantize(r, c);
                    }
                }
            }
            default -> throw unsupported(t);
        }
        return out;
    }

    /**
     * A Q8_0, Q4_0 or Q4_1 tensor as codes with per-32 scales: Q8_0 signed codes ({@code q * d}),
     * Q4_0 unsigned codes with zero point 8 ({@code (q - 8) * d}), Q4_1 unsigned codes with a
     * minimum ({@code q * d + m}). Within a block, element j sits in byte j's low nibble and
     * element j + 16 in its high nibble.
     */
    public QuantizedMatrix quantized(String name) {
        GgufTensor t = tensor(name);
        GgmlType type = t.type();
        if (type != GgmlType.Q8_0 && type != GgmlType.Q4_0 && type != GgmlType.Q4_1) {
            throw new IllegalArgumentException(name + " is " + type + ", not a block-quantized type this reader keeps");
        }
        long cols = t.cols();
        long rows = t.rows();
        if (cols % 32 != 0 || rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": " + Arrays.toString(t.dims()) + " does not form 32-element blocks");
        }
        int blocks = (int) (rows * cols / 32);
        int[] codes = new int[blocks * 32];
        float[] scales = new float[blocks];
        float[] mins = type == GgmlType.Q4_1 ? new float[blocks] : null;
        int[] zeros = null;
        long at = dataStart + t.offset();
        for (int b = 0; b < blocks; b++, at += type.blockBytes()) {
            scales[b] = Float.float16ToFloat(file.get(SHORT, at));
            int base = b * 32;
            switch (type) {
                case Q8_0 -> {
                    for (int j = 0; j < 32; j++) {
                        codes[base + j] = file.get(ValueLayout.JAVA_BYTE, at + 2 + j);
                    }
                }
                case Q4_0, Q4_1 -> {
                    long qs = at + (type == GgmlType.Q4_1 ? 4 : 2);
                    if (mins != null) {
                        mins[b] = Float.float16ToFloat(file.get(SHORT, at + 2));
                    }
                    for (int j = 0; j < 16; j++) {
                        int v = file.get(ValueLayout.JAVA_BYTE, qs + j) & 0xFF;
                        codes[base + j] = v & 0xF;
                        codes[base + j + 16] = v >>> 4;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        if (type == GgmlType.Q4_0) {
            zeros = new int[blocks];
            Arrays.fill(zeros, 8);
        }
        int bits = type == GgmlType.Q8_0 ? 8 : 4;
        return new QuantizedMatrix((int) rows, (int) cols, 32, bits, type == GgmlType.Q8_0, codes, scales, zeros, mins);
    }

    private IllegalArgumentException unsupported(GgufTensor t) {
        return new IllegalArgumentException(t.name() + " is stored as " + t.type()
                + "; this reader handles F32, F16, BF16, Q8_0, Q4_0 and Q4_1");
    }

    private long advance(long bytes) {
        long at = pos;
        pos += bytes;
        return at;
    }

    private long u64(String what) {
        long v = file.get(LONG, advance(8));
        if (v < 0) {
            throw new IllegalArgumentException(path + ": " + what + " " + Long.toUnsignedString(v) + " is out of range");
        }
        return v;
    }

    private String string() {
        long length = u64("string length");
        if (length > file.byteSize() - pos) {
            throw new IllegalArgumentException(path + ": a string of " + length + " bytes runs past the end of the file");
        }
        byte[] bytes = file.asSlice(advance(length), length).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private Object value(int type) {
        return switch (type) {
            case 0 -> (long) (file.get(ValueLayout.JAVA_BYTE, advance(1)) & 0xFF);
            case 1 -> (long) file.get(ValueLayout.JAVA_BYTE, advance(1));
            case 2 -> (long) (file.get(SHORT, advance(2)) & 0xFFFF);
            case 3 -> (long) file.get(SHORT, advance(2));
            case 4 -> Integer.toUnsignedLong(file.get(INT, advance(4)));
            case 5 -> (long) file.get(INT, advance(4));
            case 6 -> (double) file.get(FLOAT, advance(4));
            case 7 -> file.get(ValueLayout.JAVA_BYTE, advance(1)) != 0;
            case 8 -> string();
            case 9 -> {
                int itemType = file.get(INT, advance(4));
                long count = u64("array length");
                if (count > file.byteSize() - pos) {
                    throw new IllegalArgumentException(path + ": an array of " + count + " items runs past the end of the file");
                }
                List<Object> items = new ArrayList<>((int) count);
                for (long i = 0; i < count; i++) {
                    items.add(value(itemType));
                }
                yield Collections.unmodifiableList(items);
            }
            case 10, 11 -> file.get(LONG, advance(8));
            case 12 -> file.get(DOUBLE, advance(8));
            default -> throw new IllegalArgumentException(path + ": unknown metadata value type " + type);
        };
    }

    @Override
    public void close() {
        arena.close();
    }
}

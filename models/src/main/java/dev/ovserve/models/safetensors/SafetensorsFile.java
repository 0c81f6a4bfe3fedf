package dev.ovserve.models.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header, then the
 * raw tensor bytes. Tensors are exposed as zero-copy slices of the mapping; the mapping lives until
 * {@link #close()}, after which every slice handed out becomes inaccessible (the FFM API enforces it).
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Same cap as the reference implementation: a header this large is corrupt, not a model. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    // Duplicate tensor names would silently shadow each other; treat them as corruption.
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps {@code file} read-only and validates the whole header before returning. */
    public static SafetensorsFile open(Path file) throws IOException {
        // Shared arena: the engine thread and loader/converter threads may read the same mapping.
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException(file + ": truncated: " + size + " bytes, too short for the 8-byte header length");
            }
            MemorySegment all = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = all.get(LE_LONG, 0);
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(file + ": header length " + Long.toUnsignedString(headerLength)
                        + " is not plausible (max " + MAX_HEADER_BYTES + "); not a safetensors file?");
            }
            if (8 + headerLength > size) {
                throw new SafetensorsException(file + ": truncated: header claims " + headerLength
                        + " bytes but only " + (size - 8) + " follow the length field");
            }
            byte[] headerBytes = all.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            long dataStart = 8 + headerLength;
            MemorySegment data = all.asSlice(dataStart);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(file, headerBytes, dataStart, data.byteSize(), metadata);
            return new SafetensorsFile(file, arena, data, tensors, Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path file, byte[] headerBytes, long dataStart, long dataSize,
                                                       Map<String, String> metadataOut) {
        JsonNode root;
        try {
            root = JSON.readTree(headerBytes);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsException(file + ": cannot read header: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file + ": header must be a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals("__metadata__")) {
                // Free-form string map (e.g. {"format": "pt"}); carries no tensor data.
                if (node.isObject()) {
                    node.properties().forEach(m -> metadataOut.put(m.getKey(), m.getValue().asText()));
                }
                continue;
            }
            tensors.put(name, parseEntry(file, name, node, dataStart, dataSize));
        }
        checkNoOverlap(file, tensors.values());
        return Collections.unmodifiableMap(tensors);
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node, long dataStart, long dataSize) {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafetensorsException(where + ": header entry must be an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(where + ": missing or non-string 'dtype'");
        }
        DType dtype;
        try {
            dtype = DType.parse(name, dtypeNode.asText());
        } catch (SafetensorsException e) {
            throw new SafetensorsException(file + ": " + e.getMessage());
        }
        long[] shape = longArray(where, node.get("shape"), "shape", -1);
        long[] offsets = longArray(where, node.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new SafetensorsException(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorSpec.elementCount(name, shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(where + ": shape overflows");
        }
        if (end - begin != expected) {
            throw new SafetensorsException(where + ": " + dtype + java.util.Arrays.toString(shape) + " needs " + expected
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (end > dataSize) {
            throw new SafetensorsException(where + ": data_offsets [" + begin + ", " + end
                    + "] run past the end of the data section (" + dataSize + " bytes): file truncated or offsets out of range");
        }
        return new TensorInfo(name, dtype, shape, begin, end, dataStart);
    }

    private static long[] longArray(String where, JsonNode node, String field, int requiredLength) {
        if (node == null || !node.isArray()) {
            throw new SafetensorsException(where + ": missing or non-array '" + field + "'");
        }
        if (requiredLength >= 0 && node.size() != requiredLength) {
            throw new SafetensorsException(where + ": '" + field + "' must have " + requiredLength + " elements, has " + node.size());
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw new SafetensorsException(where + ": '" + field + "' must hold non-negative integers, got " + node);
            }
            out[i] = v.asLong();
        }
        return out;
    }

    /** Two tensors sharing bytes would silently alias each other's weights. */
    private static void checkNoOverlap(Path file, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(t -> {
            if (t.byteSize() > 0) {
                sorted.add(t);
            }
        });
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new SafetensorsException(file + ": tensors '" + prev.name() + "' [" + prev.begin() + ", " + prev.end()
                        + ") and '" + cur.name() + "' [" + cur.begin() + ", " + cur.end() + ") overlap");
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(path + ": no tensor named '" + name + "' (file has " + tensors.size() + " tensors)");
        }
        return info;
    }

    /** The {@code __metadata__} string map, empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Zero-copy view of a tensor's raw little-endian bytes; valid until this file is closed. */
    public MemorySegment slice(String name) {
        TensorInfo info = info(name);
        return data.asSlice(info.begin(), info.byteSize());
    }

    /** Copies a floating-point tensor into a new float32 array (row-major, as stored). */
    public float[] readFloats(String name) {
        TensorInfo info = info(name);
        long n = info.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(path + ": tensor '" + name + "' has " + n + " elements, too many for a Java array");
        }
        MemorySegment bytes = slice(name);
        float[] out = new float[(int) n];
        switch (info.dtype()) {
            case F32 -> MemorySegment.copy(bytes, LE_FLOAT, 0, out, 0, out.length);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.f16ToFloat(bytes.getAtIndex(LE_SHORT, i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.bf16ToFloat(bytes.getAtIndex(LE_SHORT, i));
                }
            }
            case F64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) bytes.getAtIndex(LE_DOUBLE, i);
                }
            }
            default -> throw new SafetensorsException(path + ": tensor '" + name + "' has dtype " + info.dtype()
                    + "; readFloats supports F32, F16, BF16 and F64");
        }
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}

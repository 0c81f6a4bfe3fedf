package dev.ovserve.models.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Streams a safetensors file: the header is written up front from the declared tensor specs, then
 * each tensor's data is written in declaration order, one tensor at a time, so a model far larger
 * than the heap's comfort zone never has to exist in memory at once.
 *
 * <p>If the writer is closed before every declared tensor has been written, the partial file is
 * deleted and {@link #close()} throws: a file left at the path is always complete.
 */
public final class SafetensorsWriter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_BYTES = 1 << 20;

    private final Path file;
    private final List<TensorSpec> specs;
    private final FileChannel channel;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private int next;
    private boolean closed;

    private SafetensorsWriter(Path file, List<TensorSpec> specs, FileChannel channel) {
        this.file = file;
        this.specs = specs;
        this.channel = channel;
    }

    /** Creates (or replaces) {@code file} and writes its header; tensors follow in {@code specs} order. */
    public static SafetensorsWriter create(Path file, List<TensorSpec> specs, Map<String, String> metadata) throws IOException {
        List<TensorSpec> copy = List.copyOf(specs);
        byte[] header = header(copy, metadata);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        SafetensorsWriter writer = new SafetensorsWriter(file, copy, channel);
        try {
            ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(header.length).put(header).flip();
            writer.writeFully(prefix);
        } catch (IOException | RuntimeException e) {
            writer.abort();
            throw e;
        }
        return writer;
    }

    public static SafetensorsWriter create(Path file, List<TensorSpec> specs) throws IOException {
        return create(file, specs, Map.of("format", "pt"));
    }

    /** The header JSON, padded with spaces so the data section starts 8-byte aligned (as the format requires). */
    static byte[] header(List<TensorSpec> specs, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        var seen = new HashSet<String>();
        long offset = 0;
        for (TensorSpec spec : specs) {
            if (spec.name().equals("__metadata__") || !seen.add(spec.name())) {
                throw new IllegalArgumentException("tensor name '" + spec.name() + "' is reserved or duplicated");
            }
            ObjectNode entry = root.putObject(spec.name());
            entry.put("dtype", spec.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : spec.shape()) {
                shape.add(d);
            }
            long end = Math.addExact(offset, spec.byteSize());
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    public Path path() {
        return file;
    }

    /** Writes the next declared tensor, converting float32 values to its dtype (F32, F16 or BF16). */
    public void writeFloats(String name, float[] values) throws IOException {
        TensorSpec spec = expect(name, values.length);
        int step = CHUNK_BYTES / spec.dtype().byteSize();
        for (int from = 0; from < values.length; from += step) {
            int to = Math.min(values.length, from + step);
            chunk.clear();
            switch (spec.dtype()) {
                case F32 -> {
                    chunk.asFloatBuffer().put(values, from, to - from);
                    chunk.position((to - from) * 4);
                }
                case F16 -> {
                    for (int i = from; i < to; i++) {
                        chunk.putShort(HalfFloats.floatToF16(values[i]));
                    }
                }
                case BF16 -> {
                    for (int i = from; i < to; i++) {
                        chunk.putShort(HalfFloats.floatToBf16(values[i]));
                    }
                }
                default -> throw new IllegalArgumentException("tensor '" + name + "' is " + spec.dtype()
                        + "; writeFloats supports F32, F16 and BF16 (use writeBytes)");
            }
            chunk.flip();
            writeFully(chunk);
        }
        next++;
    }

    /** Writes the next declared tensor from raw little-endian bytes of exactly its size. */
    public void writeBytes(String name, MemorySegment bytes) throws IOException {
        TensorSpec spec = expectName(name);
        if (bytes.byteSize() != spec.byteSize()) {
            throw new IllegalArgumentException("tensor '" + name + "' needs " + spec.byteSize() + " bytes, got " + bytes.byteSize());
        }
        for (long from = 0; from < bytes.byteSize(); from += CHUNK_BYTES) {
            long n = Math.min(CHUNK_BYTES, bytes.byteSize() - from);
            chunk.clear();
            MemorySegment.ofBuffer(chunk).copyFrom(bytes.asSlice(from, n));
            chunk.limit((int) n);
            writeFully(chunk);
        }
        next++;
    }

    private TensorSpec expect(String name, long elements) {
        TensorSpec spec = expectName(name);
        if (spec.elementCount() != elements) {
            throw new IllegalArgumentException("tensor '" + name + "' " + spec + " needs " + spec.elementCount()
                    + " values, got " + elements);
        }
        return spec;
    }

    private TensorSpec expectName(String name) {
        if (closed) {
            throw new IllegalStateException("writer for " + file + " is closed");
        }
        if (next >= specs.size()) {
            throw new IllegalStateException("all " + specs.size() + " declared tensors already written; got extra '" + name + "'");
        }
        TensorSpec spec = specs.get(next);
        if (!spec.name().equals(name)) {
            throw new IllegalStateException("tensors must be written in declared order: expected '" + spec.name()
                    + "', got '" + name + "'");
        }
        return spec;
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private void abort() throws IOException {
        closed = true;
        channel.close();
        Files.deleteIfExists(file);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (next < specs.size()) {
            String missing = specs.get(next).name();
            abort();
            throw new IllegalStateException("closed after " + next + " of " + specs.size() + " tensors (next was '" + missing
                    + "'); deleted incomplete " + file);
        }
        closed = true;
        channel.close();
    }
}

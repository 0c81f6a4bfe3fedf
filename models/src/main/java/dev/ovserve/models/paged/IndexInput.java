package dev.ovserve.models.paged;

import dev.ovserve.openvino.ElementType;
import dev.ovserve.openvino.InferRequest;
import dev.ovserve.openvino.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One integer model input (ids, positions, block tables…) filled anew each step into a reused,
 * growing native buffer, in whichever integer type the compiled model declares.
 */
final class IndexInput {
    private final String name;
    private final ElementType type;
    private final boolean scalar;
    private final Arena arena;
    private MemorySegment buffer = MemorySegment.NULL;
    private int size;

    IndexInput(String name, ElementType type, boolean scalar, Arena arena) {
        if (type != ElementType.I32 && type != ElementType.I64) {
            throw new IllegalStateException("input " + name + " has element type " + type + ", expected i32 or i64");
        }
        this.name = name;
        this.type = type;
        this.scalar = scalar;
        this.arena = arena;
    }

    /** Starts a step with room for {@code capacity} values. */
    void reset(int capacity) {
        long bytes = (long) Math.max(1, capacity) * type.byteSize(1);
        if (buffer.byteSize() < bytes) {
            buffer = arena.allocate(Math.max(bytes, 2 * buffer.byteSize()), 64);
        }
        size = 0;
    }

    void add(long value) {
        if (type == ElementType.I64) {
            buffer.setAtIndex(ValueLayout.JAVA_LONG, size++, value);
        } else {
            buffer.setAtIndex(ValueLayout.JAVA_INT, size++, Math.toIntExact(value));
        }
    }

    int size() {
        return size;
    }

    /** Sets what was added on the request; the returned tensor must stay open until the inference ends. */
    Tensor bind(InferRequest request) {
        long[] shape = scalar ? new long[0] : new long[] {size};
        Tensor t = Tensor.wrap(type, shape, buffer);
        request.setTensor(name, t);
        return t;
    }
}

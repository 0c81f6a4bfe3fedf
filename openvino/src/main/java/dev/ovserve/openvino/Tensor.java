package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * {@code ov_tensor_t}. Three kinds:
 * <ul>
 *   <li>{@link #wrap}: a view over Java-owned native memory, no copy. The caller keeps the segment
 *       alive for as long as the tensor, <em>and every infer request it was set on</em>, may read
 *       or write it: the runtime keeps only the raw pointer.</li>
 *   <li>{@link #allocate}: the same, over 64-byte-aligned memory from an arena this tensor owns
 *       and frees on {@link #close()} - so close it only after the requests using it are done.</li>
 *   <li>{@link #create} and tensors returned by an {@link InferRequest}: memory owned and
 *       reference-counted by the runtime; closing this handle never invalidates a request.</li>
 * </ul>
 * Views from {@link #data()} of runtime-owned memory become inaccessible on {@link #close()} and
 * on {@link #setShape}, which may reallocate.
 */
public final class Tensor extends NativeHandle {
    /** Alignment of {@link #allocate}d memory: a cache line, what the CPU plugin prefers. */
    public static final long ALIGNMENT = 64;

    private final ElementType type;
    private final MemorySegment hostMemory;
    private final Arena ownArena;
    private Arena viewArena;

    private Tensor(MemorySegment handle, ElementType type, MemorySegment hostMemory, Arena ownArena) {
        super(handle);
        this.type = type;
        this.hostMemory = hostMemory;
        this.ownArena = ownArena;
    }

    /** A tensor over {@code data} (native memory, at least the shape's byte size), without copying. */
    public static Tensor wrap(ElementType type, long[] shape, MemorySegment data) {
        NativeLibs.openVinoC();
        requireFixedSize(type);
        if (!data.isNative()) {
            throw new IllegalArgumentException("Tensor memory must be native (off-heap), got " + data);
        }
        long needed = type.byteSize(elementCount(shape));
        if (data.byteSize() < needed) {
            throw new IllegalArgumentException("Segment of " + data.byteSize() + " bytes is smaller than "
                    + needed + " bytes for " + type + Arrays.toString(shape));
        }
        return new Tensor(createFromHostPtr(type, shape, data), type, data, null);
    }

    /** A zero-filled tensor over memory this tensor owns; freed on {@link #close()}. */
    public static Tensor allocate(ElementType type, long... shape) {
        NativeLibs.openVinoC();
        requireFixedSize(type);
        Arena arena = Arena.ofShared();
        try {
            // At least one byte: the runtime rejects a NULL host pointer.
            MemorySegment data = arena.allocate(Math.max(1, type.byteSize(elementCount(shape))), ALIGNMENT);
            return new Tensor(createFromHostPtr(type, shape, data), type, data, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** A tensor whose memory the runtime allocates and reference-counts. */
    public static Tensor create(ElementType type, long... shape) {
        NativeLibs.openVinoC();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_tensor_create(type.code(), nativeShape(arena, shape), out);
            return new Tensor(out.get(ADDRESS, 0), type, null, null);
        }
    }

    /** Wraps a tensor handle the runtime returned (e.g. ov_infer_request_get_tensor). */
    static Tensor fromRuntime(MemorySegment handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment type = arena.allocate(JAVA_INT);
            try {
                CApi.ov_tensor_get_element_type(handle, type);
            } catch (RuntimeException e) {
                CApi.ov_tensor_free(handle);
                throw e;
            }
            return new Tensor(handle, ElementType.of(type.get(JAVA_INT, 0)), null, null);
        }
    }

    private static void requireFixedSize(ElementType type) {
        if (!type.hasFixedSize()) {
            throw new IllegalArgumentException("Cannot place " + type + " elements in plain memory");
        }
    }

    private static MemorySegment createFromHostPtr(ElementType type, long[] shape, MemorySegment data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_tensor_create_from_host_ptr(type.code(), nativeShape(arena, shape), data, out);
            return out.get(ADDRESS, 0);
        }
    }

    /** An ov_shape_t passed by value; the runtime copies the dims. */
    private static MemorySegment nativeShape(Arena arena, long[] shape) {
        MemorySegment s = arena.allocate(CApi.SHAPE);
        MemorySegment dims = arena.allocate(JAVA_LONG, Math.max(1, shape.length));
        MemorySegment.copy(shape, 0, dims, JAVA_LONG, 0, shape.length);
        s.set(JAVA_LONG, 0, shape.length);
        s.set(ADDRESS, 8, dims);
        return s;
    }

    private static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("Negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public ElementType elementType() {
        return type;
    }

    public long[] shape() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(CApi.SHAPE);
            CApi.ov_tensor_get_shape(handle(), s);
            try {
                long rank = s.get(JAVA_LONG, 0);
                return s.get(ADDRESS, 8).reinterpret(rank * JAVA_LONG.byteSize()).toArray(JAVA_LONG);
            } finally {
                CApi.ov_shape_free(s);
            }
        }
    }

    /**
     * Changes the shape. Over Java memory the new shape must fit the wrapped segment; runtime-owned
     * memory may be reallocated, so earlier {@link #data()} views are closed.
     */
    public void setShape(long... shape) {
        if (hostMemory != null && type.byteSize(elementCount(shape)) > hostMemory.byteSize()) {
            throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " does not fit the "
                    + hostMemory.byteSize() + "-byte segment of this tensor");
        }
        try (Arena arena = Arena.ofConfined()) {
            CApi.ov_tensor_set_shape(handle(), nativeShape(arena, shape));
        }
        closeViews();
    }

    public long elementCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            CApi.ov_tensor_get_size(handle(), out);
            return out.get(JAVA_LONG, 0);
        }
    }

    public long byteSize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            CApi.ov_tensor_get_byte_size(handle(), out);
            return out.get(JAVA_LONG, 0);
        }
    }

    /**
     * The tensor's bytes, {@link #byteSize()} long. For a wrapped or allocated tensor this is a slice
     * of the Java segment itself; otherwise a view valid until close or the next setShape.
     */
    public MemorySegment data() {
        long size = byteSize();
        if (hostMemory != null) {
            return hostMemory.asSlice(0, size);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_tensor_data(handle(), out);
            return out.get(ADDRESS, 0).reinterpret(size, views(), null);
        }
    }

    /** Whether the memory is Java's ({@link #wrap}/{@link #allocate}) rather than the runtime's. */
    public boolean isJavaMemory() {
        return hostMemory != null;
    }

    /** The Java segment this tensor points into, kept reachable by requests it is set on. */
    MemorySegment hostMemory() {
        return hostMemory;
    }

    private synchronized Arena views() {
        if (viewArena == null) {
            viewArena = Arena.ofShared();
        }
        return viewArena;
    }

    private synchronized void closeViews() {
        if (viewArena != null) {
            viewArena.close();
            viewArena = null;
        }
    }

    @Override
    void free(MemorySegment handle) {
        CApi.ov_tensor_free(handle);
        closeViews();
        if (ownArena != null) {
            ownArena.close();
        }
    }

    @Override
    public String toString() {
        return isClosed() ? "Tensor[closed]" : "Tensor[" + type + Arrays.toString(shape()) + "]";
    }
}

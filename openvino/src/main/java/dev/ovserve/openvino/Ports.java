package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Reads port descriptions, freeing every port handle and shape the C API hands out. */
final class Ports {
    private Ports() {}

    @FunctionalInterface
    interface SizeGetter {
        void get(MemorySegment owner, MemorySegment sizeOut);
    }

    @FunctionalInterface
    interface PortGetter {
        void get(MemorySegment owner, long index, MemorySegment portOut);
    }

    static List<Port> list(MemorySegment owner, SizeGetter size, PortGetter port) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_LONG);
            size.get(owner, count);
            long n = count.get(JAVA_LONG, 0);
            List<Port> ports = new ArrayList<>((int) n);
            MemorySegment portOut = arena.allocate(ADDRESS);
            for (int i = 0; i < n; i++) {
                port.get(owner, i, portOut);
                MemorySegment handle = portOut.get(ADDRESS, 0);
                try {
                    ports.add(describe(arena, i, handle));
                } finally {
                    CApi.ov_output_const_port_free(handle);
                }
            }
            return List.copyOf(ports);
        }
    }

    private static Port describe(Arena arena, int index, MemorySegment port) {
        MemorySegment type = arena.allocate(JAVA_INT);
        CApi.ov_port_get_element_type(port, type);
        return new Port(index, anyName(arena, port), ElementType.of(type.get(JAVA_INT, 0)), partialShape(arena, port));
    }

    private static String anyName(Arena arena, MemorySegment port) {
        MemorySegment nameOut = arena.allocate(ADDRESS);
        try {
            CApi.ov_port_get_any_name(port, nameOut);
        } catch (OpenVinoException unnamed) {
            return ""; // the runtime throws for a tensor without names
        }
        return Native.takeString(nameOut.get(ADDRESS, 0));
    }

    private static PartialShape partialShape(Arena arena, MemorySegment port) {
        MemorySegment ps = arena.allocate(CApi.PARTIAL_SHAPE);
        CApi.ov_port_get_partial_shape(port, ps);
        try {
            return fromNative(ps);
        } finally {
            CApi.ov_partial_shape_free(ps);
        }
    }

    /** Reads an ov_partial_shape_t: rank {min,max}, then rank.max dimensions when the rank is static. */
    static PartialShape fromNative(MemorySegment ps) {
        long rankMin = ps.get(JAVA_LONG, 0);
        long rankMax = ps.get(JAVA_LONG, 8);
        MemorySegment dims = ps.get(ADDRESS, CApi.DIMENSION.byteSize());
        if (rankMin != rankMax || dims.equals(MemorySegment.NULL)) {
            return PartialShape.dynamicRank();
        }
        MemorySegment array = dims.reinterpret(rankMax * CApi.DIMENSION.byteSize());
        List<Dimension> out = new ArrayList<>((int) rankMax);
        for (long i = 0; i < rankMax; i++) {
            out.add(new Dimension(array.get(JAVA_LONG, i * 16), array.get(JAVA_LONG, i * 16 + 8)));
        }
        return new PartialShape(out);
    }

    /** Writes an ov_partial_shape_t into {@code target}, with its dims array allocated in {@code arena}. */
    static void toNative(Arena arena, PartialShape shape, MemorySegment target) {
        if (shape.isRankDynamic()) {
            target.set(JAVA_LONG, 0, 0);
            target.set(JAVA_LONG, 8, -1);
            target.set(ADDRESS, CApi.DIMENSION.byteSize(), MemorySegment.NULL);
            return;
        }
        int rank = shape.rank();
        MemorySegment dims = arena.allocate(CApi.DIMENSION, Math.max(rank, 1));
        for (int i = 0; i < rank; i++) {
            Dimension d = shape.dimension(i);
            dims.set(JAVA_LONG, i * 16L, d.min());
            dims.set(JAVA_LONG, i * 16L + 8, d.max());
        }
        target.set(JAVA_LONG, 0, rank);
        target.set(JAVA_LONG, 8, rank);
        target.set(ADDRESS, CApi.DIMENSION.byteSize(), dims);
    }
}

package dev.ovserve.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class ElementTypeTest {

    @Test
    void codesFollowTheHeader() {
        assertEquals(0, ElementType.DYNAMIC.code());
        assertEquals(4, ElementType.F32.code());
        assertEquals(10, ElementType.I64.code());
        assertEquals(14, ElementType.U4.code());
        assertEquals(16, ElementType.U8.code());
        assertEquals(25, ElementType.F8E8M0.code());
        assertEquals(ElementType.F16, ElementType.fromOvName("f16"));
    }

    @Test
    void byteSizesMatchTheRuntime() {
        for (ElementType type : ElementType.values()) {
            if (!type.hasFixedSize()) {
                continue;
            }
            for (long n : new long[] {1, 5, 8, 13}) {
                try (Tensor t = Tensor.create(type, n)) {
                    assertEquals(t.byteSize(), type.byteSize(n), type + " x " + n);
                    assertEquals(type, t.elementType());
                }
            }
        }
    }

    @Test
    void subByteTensorOverJavaMemory() {
        try (Arena arena = Arena.ofConfined()) {
            var data = arena.allocate(2);
            try (Tensor t = Tensor.wrap(ElementType.U4, new long[] {3}, data)) {
                assertEquals(2, t.byteSize());
                assertEquals(3, t.elementCount());
                assertEquals(data.address(), t.data().address());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(ElementType.STRING, 2));
    }
}

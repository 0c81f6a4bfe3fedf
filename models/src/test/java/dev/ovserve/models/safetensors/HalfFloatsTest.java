package dev.ovserve.models.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Expected values are worked out by hand from the bit layouts, not by calling the code under test. */
class HalfFloatsTest {

    @Test
    void bf16WidensToTheUpperHalfOfAFloat32() {
        assertEquals(1.0f, HalfFloats.bf16ToFloat((short) 0x3F80));
        assertEquals(-2.5f, HalfFloats.bf16ToFloat((short) 0xC020));
        // 0x4049: exponent 128 -> 2^1, mantissa 0x49/128 -> 2 * (1 + 73/128)
        assertEquals(3.140625f, HalfFloats.bf16ToFloat((short) 0x4049));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.bf16ToFloat((short) 0x7F80));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.bf16ToFloat((short) 0xFF80));
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat((short) 0x7FC0)));
        // Largest finite BF16: 2^127 * (1 + 127/128)
        assertEquals((float) (Math.pow(2, 127) * (1 + 127.0 / 128)), HalfFloats.bf16ToFloat((short) 0x7F7F));
        // Smallest subnormal BF16 is float bits 0x00010000 = 2^16 * 2^-149 = 2^-133
        assertEquals((float) Math.pow(2, -133), HalfFloats.bf16ToFloat((short) 0x0001));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(HalfFloats.bf16ToFloat((short) 0x8000)));
    }

    @Test
    void floatToBf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1.0f));
        // pi = 0x40490FDB: the dropped half 0x0FDB is below one half ulp, so it rounds down
        assertEquals((short) 0x4049, HalfFloats.floatToBf16((float) Math.PI));
        // 0x3F808000 is exactly halfway; 0x3F80 is even so it stays
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F808000)));
        // 0x3F818000 is exactly halfway; 0x3F81 is odd so it rounds up to 0x3F82
        assertEquals((short) 0x3F82, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F818000)));
        assertEquals((short) 0x3F81, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F80C000)));
        // Float.MAX_VALUE = 0x7F7FFFFF rounds past the largest BF16 to infinity
        assertEquals((short) 0x7F80, HalfFloats.floatToBf16(Float.MAX_VALUE));
        assertEquals((short) 0x7FC0, HalfFloats.floatToBf16(Float.NaN));
    }
}

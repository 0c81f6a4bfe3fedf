package dev.ovserve.models.safetensors;

/** Conversions between float32 and the two 16-bit float formats found in checkpoints. */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** BF16 is the upper half of a float32, so widening is an exact shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Narrows to BF16 with round-to-nearest-even (what PyTorch does); NaN stays a quiet NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Round-to-nearest-even; values beyond the F16 range become infinities. */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }
}

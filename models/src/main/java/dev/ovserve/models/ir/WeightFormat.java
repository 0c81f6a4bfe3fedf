package dev.ovserve.models.ir;

/** How the converter stores weights in the IR. */
public enum WeightFormat {
    FP32, FP16,
    /** u8 per output channel with zero points. */
    INT8,
    /** i4 in groups along the input dimension; embeddings and the LM head in INT8. */
    INT4;

    public static WeightFormat parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "fp32", "f32" -> FP32;
            case "fp16", "f16" -> FP16;
            case "int8", "i8", "u8" -> INT8;
            case "int4", "i4", "u4" -> INT4;
            default -> throw new IllegalArgumentException("unknown weight format '" + s + "' (expected fp32, fp16, int8 or int4)");
        };
    }
}

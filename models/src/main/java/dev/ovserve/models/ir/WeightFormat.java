package dev.ovserve.models.ir;

/** How the converter stores weights in the IR. */
public enum WeightFormat {
    FP32, FP16;

    public static WeightFormat parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "fp32", "f32" -> FP32;
            case "fp16", "f16" -> FP16;
            default -> throw new IllegalArgumentException("unknown weight format '" + s + "' (expected fp32 or fp16)");
        };
    }
}

package dev.ovserve.models.ir;

import java.util.Locale;

/** How the converter stores weights; {@link WeightOptions} adds INT8/INT4's scheme. */
public enum WeightFormat {
    FP32, FP16,
    /** 8-bit codes per output channel. */
    INT8,
    /** 4-bit codes in groups along the input dimension; embeddings and the LM head in a backup precision. */
    INT4;

    public static WeightFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fp32", "f32" -> FP32;
            case "fp16", "f16" -> FP16;
            case "int8" -> INT8;
            case "int4" -> INT4;
            default -> throw new IllegalArgumentException("unknown weight format '" + s + "' (expected fp32, fp16, int8 or int4)");
        };
    }
}

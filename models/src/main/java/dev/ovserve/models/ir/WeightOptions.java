package dev.ovserve.models.ir;

import java.util.Locale;

/**
 * How the converter stores weights. INT8 is per output channel; INT4 is in groups of
 * {@code groupSize} along the input dimension, with embeddings, the LM head and matrices the
 * group does not divide kept in {@code backup} precision, as NNCF's data-free compression does.
 *
 * @param symmetric signed codes and no zero point, instead of unsigned codes with zero points
 */
public record WeightOptions(WeightFormat format, boolean symmetric, int groupSize, WeightFormat backup) {
    public static final int DEFAULT_GROUP_SIZE = 128;

    public WeightOptions {
        if (groupSize <= 0) {
            throw new IllegalArgumentException("--group-size must be positive, got " + groupSize);
        }
        if (backup == WeightFormat.INT4) {
            throw new IllegalArgumentException("--int4-backup must be int8, fp16 or fp32");
        }
    }

    /** NNCF's defaults: INT8 asymmetric, INT4 symmetric with group 128 and an asymmetric INT8 backup. */
    public static WeightOptions of(WeightFormat format) {
        return new WeightOptions(format, format == WeightFormat.INT4, DEFAULT_GROUP_SIZE, WeightFormat.INT8);
    }

    public WeightOptions withSymmetric(boolean symmetric) {
        return new WeightOptions(format, symmetric, groupSize, backup);
    }

    public WeightOptions withGroupSize(int groupSize) {
        return new WeightOptions(format, symmetric, groupSize, backup);
    }

    public WeightOptions withBackup(WeightFormat backup) {
        return new WeightOptions(format, symmetric, groupSize, backup);
    }

    /** For the IR's rt_info and logs, e.g. "int4_sym group 128, backup int8_asym". */
    public String describe() {
        String name = format.name().toLowerCase(Locale.ROOT);
        return switch (format) {
            case FP32, FP16 -> name;
            case INT8 -> name + (symmetric ? "_sym" : "_asym");
            case INT4 -> name + (symmetric ? "_sym" : "_asym") + " group " + groupSize + ", backup "
                    + (backup == WeightFormat.INT8 ? "int8_asym" : backup.name().toLowerCase(Locale.ROOT));
        };
    }
}

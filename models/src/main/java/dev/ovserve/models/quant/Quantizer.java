package dev.ovserve.models.quant;

/**
 * Data-free weight quantization (round to nearest), with NNCF's formulas, so our exports and
 * NNCF's agree:
 * <ul>
 * <li>asymmetric (unsigned, zero point) maps each group's [min, max], widened to contain 0, onto
 * [0, 2^bits - 1];
 * <li>symmetric (signed, zero point 0) maps the group's largest-magnitude weight onto
 * -2^(bits-1), with a negative scale when that weight is positive, so all 2^bits codes are used
 * (a plain ±(2^(bits-1) - 1) mapping wastes one of only 16 INT4 codes).
 * </ul>
 * A group that is all zeros gets scale 1 (any scale reproduces it exactly) rather than 0,
 * which would turn dequantization into 0/0 for consumers that divide.
 */
public final class Quantizer {
    private Quantizer() {}

    /** {@code groupSize >= cols} means one group per output channel. */
    public static QuantizedMatrix quantize(float[] w, int rows, int cols, int bits, boolean symmetric, int groupSize) {
        int group = Math.min(groupSize, cols);
        return symmetric ? symmetric(w, rows, cols, group, bits) : asymmetric(w, rows, cols, group, bits);
    }

    /** Per-output-channel asymmetric u8 with zero points: the INT8 default. */
    public static QuantizedMatrix int8Asymmetric(float[] w, int rows, int cols) {
        return asymmetric(w, rows, cols, cols, 8);
    }

    /** Per-output-channel symmetric i8. */
    public static QuantizedMatrix int8Symmetric(float[] w, int rows, int cols) {
        return symmetric(w, rows, cols, cols, 8);
    }

    /** Group-wise symmetric i4 along the input dimension: the INT4 default. */
    public static QuantizedMatrix int4Symmetric(float[] w, int rows, int cols, int groupSize) {
        return symmetric(w, rows, cols, groupSize, 4);
    }

    /** Group-wise asymmetric u4 along the input dimension. */
    public static QuantizedMatrix int4Asymmetric(float[] w, int rows, int cols, int groupSize) {
        return asymmetric(w, rows, cols, groupSize, 4);
    }

    static QuantizedMatrix asymmetric(float[] w, int rows, int cols, int groupSize, int bits) {
        check(w, rows, cols, groupSize);
        int levels = (1 << bits) - 1;
        int groups = (cols + groupSize - 1) / groupSize;
        int[] q = new int[rows * cols];
        float[] scales = new float[rows * groups];
        int[] zeros = new int[rows * groups];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int from = r * cols + g * groupSize;
                int to = r * cols + Math.min(cols, (g + 1) * groupSize);
                Range range = Range.withZero(w, from, to);
                // Codes are computed in double from the exact range, so ties round as on paper.
                double perUnit = range.max > range.min ? levels / ((double) range.max - range.min) : 1;
                int zero = clamp((int) Math.round(-range.min * perUnit), 0, levels);
                scales[r * groups + g] = (float) (1 / perUnit);
                zeros[r * groups + g] = zero;
                for (int i = from; i < to; i++) {
                    q[i] = clamp((int) Math.round(w[i] * perUnit) + zero, 0, levels);
                }
            }
        }
        return new QuantizedMatrix(rows, cols, groupSize, bits, false, q, scales, zeros);
    }

    static QuantizedMatrix symmetric(float[] w, int rows, int cols, int groupSize, int bits) {
        check(w, rows, cols, groupSize);
        int half = 1 << (bits - 1);
        int groups = (cols + groupSize - 1) / groupSize;
        int[] q = new int[rows * cols];
        float[] scales = new float[rows * groups];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int from = r * cols + g * groupSize;
                int to = r * cols + Math.min(cols, (g + 1) * groupSize);
                Range range = Range.withZero(w, from, to);
                // The extreme weight lands on the code -half; its sign picks the scale's sign.
                float extreme = -range.min >= range.max ? -range.min : -range.max;
                double perUnit = extreme != 0 ? half / (double) extreme : 1;
                scales[r * groups + g] = (float) (1 / perUnit);
                for (int i = from; i < to; i++) {
                    q[i] = clamp((int) Math.round(w[i] * perUnit), -half, half - 1);
                }
            }
        }
        return new QuantizedMatrix(rows, cols, groupSize, bits, true, q, scales, null);
    }

    /** A group's [min, max], widened to contain 0 so zero weights (padding, pruned) stay exact. */
    private record Range(float min, float max) {
        static Range withZero(float[] w, int from, int to) {
            float min = 0;
            float max = 0;
            for (int i = from; i < to; i++) {
                min = Math.min(min, w[i]);
                max = Math.max(max, w[i]);
            }
            return new Range(min, max);
        }
    }

    private static void check(float[] w, int rows, int cols, int groupSize) {
        if (rows <= 0 || cols <= 0 || (long) rows * cols != w.length) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix needs " + (long) rows * cols
                    + " values, got " + w.length);
        }
        if (groupSize <= 0) {
            throw new IllegalArgumentException("group size must be positive, got " + groupSize);
        }
        for (float v : w) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("cannot quantize a non-finite weight (" + v + ")");
            }
        }
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}

package dev.ovserve.models.quant;

/**
 * A weight matrix {@code [rows = out, cols = in]} stored as integers with per-group scales:
 * {@code w[r][c] ≈ (q[r][c] - zero[r][g]) * scale[r][g]} where {@code g = c / groupSize}.
 * Per-output-channel quantization is the special case {@code groupSize == cols}.
 *
 * @param values    one quantized value per weight, row-major, already offset into the unsigned
 *                  or signed range of {@code bits} (packing into bytes is the writer's job)
 * @param scales    {@code rows × groups}, row-major
 * @param zeroPoints {@code rows × groups}, null for symmetric schemes (zero point 0)
 * @param mins      {@code rows × groups} offsets added after scaling ({@code w = q * scale + min}, GGUF's
 *                  Q4_1), or null; never together with zero points
 */
public record QuantizedMatrix(int rows, int cols, int groupSize, int bits, boolean signed, int[] values, float[] scales,
                              int[] zeroPoints, float[] mins) {
    public QuantizedMatrix {
        if (zeroPoints != null && mins != null) {
            throw new IllegalArgumentException("a matrix has zero points or minimums, not both");
        }
    }

    public QuantizedMatrix(int rows, int cols, int groupSize, int bits, boolean signed, int[] values, float[] scales,
                           int[] zeroPoints) {
        this(rows, cols, groupSize, bits, signed, values, scales, zeroPoints, null);
    }

    public int groups() {
        return (cols + groupSize - 1) / groupSize;
    }

    public float dequantize(int row, int col) {
        int g = row * groups() + col / groupSize;
        if (mins != null) {
            return values[row * cols + col] * scales[g] + mins[g];
        }
        int zero = zeroPoints == null ? 0 : zeroPoints[g];
        return (values[row * cols + col] - zero) * scales[g];
    }
}

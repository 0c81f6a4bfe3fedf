package dev.ovserve.models.ir;

import static dev.ovserve.models.ir.IrGraph.attrs;

import dev.ovserve.models.quant.Quantizer;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Turns float weights into IR constants in the chosen format. FP16 weights are stored as
 * f16 constants followed by a Convert marked "decompression", the form OpenVINO's own FP16
 * export uses and the CPU plugin folds into its matrix kernels instead of materialising f32.
 */
final class WeightWriter {
    private final IrGraph g;
    private final WeightOptions options;

    WeightWriter(IrGraph g, WeightOptions options) {
        this.g = g;
        this.options = options;
    }

    /** A matrix {@code [rows = out, cols = in]} multiplied by activations: INT4 applies when its columns split into whole groups. */
    IrGraph.Out linearWeight(String name, float[] values, int rows, int cols) {
        if (options.format() == WeightFormat.INT4 && cols % options.groupSize() == 0) {
            return Compressed.write(g, name, Quantizer.quantize(values, rows, cols, 4, options.symmetric(), options.groupSize()));
        }
        return weight(name, values, rows, cols);
    }

    /** Embeddings (and the tied LM head) and matrices INT4's groups do not divide. */
    IrGraph.Out weight(String name, float[] values, int rows, int cols) {
        return switch (options.format()) {
            case INT8 -> Compressed.write(g, name, Quantizer.quantize(values, rows, cols, 8, options.symmetric(), cols));
            case INT4 -> options.backup() == WeightFormat.INT8
                    ? Compressed.write(g, name, Quantizer.int8Asymmetric(values, rows, cols))
                    : plain(options.backup(), name, values, rows, cols);
            default -> plain(options.format(), name, values, rows, cols);
        };
    }

    private IrGraph.Out plain(WeightFormat format, String name, float[] values, long... shape) {
        if (format == WeightFormat.FP32) {
            return f32(name, values, shape);
        }
        ByteBuffer b = IrGraph.buffer(values.length * 2L);
        for (float v : values) {
            b.putShort(Float.floatToFloat16(v));
        }
        IrGraph.Out c = g.constant(name, IrType.F16, shape, b.flip());
        return g.opWithRtInfo(name + "/decompress", "Convert", "opset1", attrs("destination_type", "f32"),
                Map.of("decompression", "0"), c);
    }

    /** Small tensors (layer-norm and bias vectors) stay f32 whatever the format: they cost nothing. */
    IrGraph.Out f32(String name, float[] values, long... shape) {
        ByteBuffer b = IrGraph.buffer(values.length * 4L);
        for (float v : values) {
            b.putFloat(v);
        }
        return g.constant(name, IrType.F32, shape, b.flip());
    }

    /** Hugging Face Conv1D stores [in, out]; MatMul with transpose_b wants [out, in]. */
    static float[] transpose(float[] w, int rows, int cols) {
        float[] t = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[r * cols + c];
            }
        }
        return t;
    }
}

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
    static final int DEFAULT_GROUP_SIZE = 128;

    private final IrGraph g;
    private final WeightFormat format;
    private final int groupSize;

    WeightWriter(IrGraph g, WeightFormat format) {
        this(g, format, DEFAULT_GROUP_SIZE);
    }

    WeightWriter(IrGraph g, WeightFormat format, int groupSize) {
        this.g = g;
        this.format = format;
        this.groupSize = groupSize;
    }

    /** A matrix multiplied by activations: INT4 applies here when its columns split into whole groups. */
    IrGraph.Out linearWeight(String name, float[] values, int rows, int cols) {
        if (format == WeightFormat.INT4 && cols % groupSize == 0) {
            return Compressed.int4(g, name, Quantizer.int4Symmetric(values, rows, cols, groupSize));
        }
        return weight(name, values, rows, cols);
    }

    /** Embeddings (and the tied LM head): INT8 is the backup precision under INT4. */
    IrGraph.Out weight(String name, float[] values, long... shape) {
        return switch (format) {
            case FP32 -> f32(name, values, shape);
            case INT8, INT4 -> Compressed.int8(g, name, Quantizer.int8Asymmetric(values, (int) shape[0], (int) shape[1]));
            case FP16 -> {
                ByteBuffer b = IrGraph.buffer(values.length * 2L);
                for (float v : values) {
                    b.putShort(Float.floatToFloat16(v));
                }
                IrGraph.Out c = g.constant(name, IrType.F16, shape, b.flip());
                yield g.opWithRtInfo(name + "/decompress", "Convert", "opset1", attrs("destination_type", "f32"),
                        Map.of("decompression", "0"), c);
            }
        };
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

package dev.ovserve.models.ir;

import static dev.ovserve.models.ir.IrGraph.attrs;

import dev.ovserve.models.quant.QuantizedMatrix;
import java.nio.ByteBuffer;

/**
 * Writes quantized weights as the decompression subgraph OpenVINO's CPU plugin folds into its
 * compressed-weight kernels (the shape NNCF exports): low-precision Const → Convert →
 * [Subtract zero point] → Multiply scale → [Reshape groups back] → consumer. Unlike FP16's
 * Convert, these Converts carry no "decompression" mark: with it the CPU plugin folded the
 * weights to f32 (runtime graph: FullyConnected with f32 weights); without it every
 * FullyConnected runs on the u8/i4 codes.
 */
final class Compressed {
    private Compressed() {}

    /** u8 per output channel with a u8 zero point per channel. */
    static IrGraph.Out int8(IrGraph g, String name, QuantizedMatrix m) {
        ByteBuffer codes = IrGraph.buffer((long) m.values().length);
        for (int v : m.values()) {
            codes.put((byte) v);
        }
        IrGraph.Out w = toF32(g, name, g.constant(name, IrType.U8, new long[] {m.rows(), m.cols()}, codes.flip()));
        ByteBuffer zeros = IrGraph.buffer(m.rows());
        for (int z : m.zeroPoints()) {
            zeros.put((byte) z);
        }
        IrGraph.Out zp = toF32(g, name + "/zero_point", g.constant(name + "/zero_point", IrType.U8, new long[] {m.rows(), 1}, zeros.flip()));
        IrGraph.Out shifted = g.op(name + "/subtract_zero_point", "Subtract", "opset1", attrs("auto_broadcast", "numpy"), w, zp);
        return g.op(name + "/scale", "Multiply", "opset1", attrs("auto_broadcast", "numpy"), shifted,
                scales(g, name, m, new long[] {m.rows(), 1}));
    }

    /** i4 in groups along the input dimension (columns divisible by the group size), no zero point. */
    static IrGraph.Out int4(IrGraph g, String name, QuantizedMatrix m) {
        int[] v = m.values();
        ByteBuffer packed = IrGraph.buffer((v.length + 1) / 2);
        for (int i = 0; i < v.length; i += 2) {
            int lo = v[i] & 0xF;
            int hi = i + 1 < v.length ? v[i + 1] & 0xF : 0;
            packed.put((byte) (lo | hi << 4)); // element 2k in the low nibble, as the IR packs sub-byte types
        }
        long[] grouped = {m.rows(), m.groups(), m.groupSize()};
        IrGraph.Out w = toF32(g, name, g.constant(name, IrType.I4, grouped, packed.flip()));
        IrGraph.Out scaled = g.op(name + "/scale", "Multiply", "opset1", attrs("auto_broadcast", "numpy"), w,
                scales(g, name, m, new long[] {m.rows(), m.groups(), 1}));
        return g.op(name + "/ungroup", "Reshape", "opset1", attrs("special_zero", "false"), scaled,
                g.constI64(name + "/shape", m.rows(), m.cols()));
    }

    private static IrGraph.Out toF32(IrGraph g, String name, IrGraph.Out lowPrecision) {
        return g.op(name + "/decompress", "Convert", "opset1", attrs("destination_type", "f32"), lowPrecision);
    }

    private static IrGraph.Out scales(IrGraph g, String name, QuantizedMatrix m, long[] shape) {
        ByteBuffer b = IrGraph.buffer(m.scales().length * 4L);
        for (float s : m.scales()) {
            b.putFloat(s);
        }
        return g.constant(name + "/scales", IrType.F32, shape, b.flip());
    }
}

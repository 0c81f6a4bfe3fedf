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
 * FullyConnected runs on the compressed codes.
 */
final class Compressed {
    private Compressed() {}

    /** Per-channel matrices stay {@code [rows, cols]}; grouped ones are stored {@code [rows, groups, group]} and reshaped back. */
    static IrGraph.Out write(IrGraph g, String name, QuantizedMatrix m) {
        if (m.mins() != null) {
            return writeWithMinimums(g, name, m);
        }
        boolean grouped = m.groups() > 1;
        if (grouped && m.cols() % m.groupSize() != 0) {
            throw new IllegalArgumentException(name + ": " + m.cols() + " columns do not split into groups of " + m.groupSize());
        }
        IrType type = type(m);
        long[] codesShape = codesShape(m);
        long[] perGroupShape = perGroupShape(m);
        IrGraph.Out w = toF32(g, name, g.constant(name, type, codesShape, pack(m.values(), m.bits())));
        if (m.zeroPoints() != null) {
            String zpName = name + "/zero_point";
            IrGraph.Out zp = toF32(g, zpName, g.constant(zpName, type, perGroupShape, pack(m.zeroPoints(), m.bits())));
            w = g.op(name + "/subtract_zero_point", "Subtract", "opset1", attrs("auto_broadcast", "numpy"), w, zp);
        }
        return scaleAndUngroup(g, name, m, w, m.scales());
    }

    /**
     * GGUF's Q4_1 ({@code w = q * d + m}) as the zero-point form the CPU plugin runs on compressed
     * codes: {@code (q - z) * d} with a fractional f32 zero point {@code z = -m / d}. Written as
     * {@code q * d + m} (Multiply then Add) the plugin folds the weights to f32 instead. A block
     * with {@code d = 0} holds {@code m} everywhere whatever its codes: scale 1, zero point
     * {@code -m}, codes 0.
     */
    private static IrGraph.Out writeWithMinimums(IrGraph g, String name, QuantizedMatrix m) {
        int[] codes = m.values().clone();
        float[] scales = m.scales().clone();
        float[] zeros = new float[scales.length];
        int groups = m.groups();
        for (int i = 0; i < scales.length; i++) {
            if (scales[i] == 0f) {
                scales[i] = 1f;
                zeros[i] = -m.mins()[i];
                int row = i / groups;
                int from = row * m.cols() + (i % groups) * m.groupSize();
                java.util.Arrays.fill(codes, from, from + m.groupSize(), 0);
            } else {
                zeros[i] = -m.mins()[i] / scales[i];
            }
        }
        IrGraph.Out w = toF32(g, name, g.constant(name, type(m), codesShape(m), pack(codes, m.bits())));
        w = g.op(name + "/subtract_zero_point", "Subtract", "opset1", attrs("auto_broadcast", "numpy"), w,
                floats(g, name + "/zero_point", zeros, perGroupShape(m)));
        return scaleAndUngroup(g, name, m, w, scales);
    }

    private static IrGraph.Out scaleAndUngroup(IrGraph g, String name, QuantizedMatrix m, IrGraph.Out w, float[] scales) {
        IrGraph.Out scaled = g.op(name + "/scale", "Multiply", "opset1", attrs("auto_broadcast", "numpy"), w,
                floats(g, name + "/scales", scales, perGroupShape(m)));
        if (m.groups() <= 1) {
            return scaled;
        }
        return g.op(name + "/ungroup", "Reshape", "opset1", attrs("special_zero", "false"), scaled,
                g.constI64(name + "/shape", m.rows(), m.cols()));
    }

    private static IrType type(QuantizedMatrix m) {
        return m.bits() == 8 ? (m.signed() ? IrType.I8 : IrType.U8) : (m.signed() ? IrType.I4 : IrType.U4);
    }

    private static long[] codesShape(QuantizedMatrix m) {
        return m.groups() > 1 ? new long[] {m.rows(), m.groups(), m.groupSize()} : new long[] {m.rows(), m.cols()};
    }

    private static long[] perGroupShape(QuantizedMatrix m) {
        return m.groups() > 1 ? new long[] {m.rows(), m.groups(), 1} : new long[] {m.rows(), 1};
    }

    /** One byte per 8-bit code; two 4-bit codes per byte, element 2k in the low nibble, as the IR packs sub-byte types. */
    private static ByteBuffer pack(int[] codes, int bits) {
        if (bits == 8) {
            ByteBuffer b = IrGraph.buffer(codes.length);
            for (int v : codes) {
                b.put((byte) v);
            }
            return b.flip();
        }
        ByteBuffer b = IrGraph.buffer((codes.length + 1) / 2);
        for (int i = 0; i < codes.length; i += 2) {
            int lo = codes[i] & 0xF;
            int hi = i + 1 < codes.length ? codes[i + 1] & 0xF : 0;
            b.put((byte) (lo | hi << 4));
        }
        return b.flip();
    }

    private static IrGraph.Out toF32(IrGraph g, String name, IrGraph.Out lowPrecision) {
        return g.op(name + "/decompress", "Convert", "opset1", attrs("destination_type", "f32"), lowPrecision);
    }

    private static IrGraph.Out floats(IrGraph g, String name, float[] values, long[] shape) {
        ByteBuffer b = IrGraph.buffer(values.length * 4L);
        for (float s : values) {
            b.putFloat(s);
        }
        return g.constant(name, IrType.F32, shape, b.flip());
    }
}

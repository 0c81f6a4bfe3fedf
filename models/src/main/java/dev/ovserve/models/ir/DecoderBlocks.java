package dev.ovserve.models.ir;

import static dev.ovserve.models.ir.IrGraph.attrs;

import dev.ovserve.models.ir.IrGraph.Out;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The pieces every decoder-only graph shares, written the way optimum-intel's exports spell them
 * so OpenVINO's SDPAToPagedAttention recognises ours as it recognises theirs: the four stateful
 * inputs, the additive causal mask, the ReadValue/Assign KV state reordered by {@code beam_idx},
 * head splitting, grouped-query head repetition (Unsqueeze → Broadcast → Reshape), RMSNorm and
 * rotary embeddings.
 */
final class DecoderBlocks {
    static final String NUMPY = "numpy";

    /** The stateful causal-LM inputs. */
    record Inputs(Out inputIds, Out attentionMask, Out positionIds, Out beamIdx) {}

    /** cos and sin of every position's rotary angles, {@code [batch, 1, seq, headDim]}. */
    record Rotary(Out cos, Out sin, int headDim) {}

    private final IrGraph g;
    private final Out axis0;

    DecoderBlocks(IrGraph g) {
        this.g = g;
        this.axis0 = g.scalarI64("axis0", 0);
    }

    Inputs inputs() {
        return new Inputs(g.parameter("input_ids", IrType.I64, "?,?"), g.parameter("attention_mask", IrType.I64, "?,?"),
                g.parameter("position_ids", IrType.I64, "?,?"), g.parameter("beam_idx", IrType.I32, "?"));
    }

    Out axis0() {
        return axis0;
    }

    Out gather(String name, Out table, Out indices) {
        return g.op(name, "Gather", "opset8", attrs("batch_dims", "0"), table, indices, axis0);
    }

    /** {@code [batch, heads, 0, headDim]} zeros: what each cache state starts from. */
    Out emptyCache(Out inputIds, int heads, int headDim) {
        Out batch = gather("batch_size", g.op("input_ids_shape", "ShapeOf", "opset3", attrs("output_type", "i64"), inputIds),
                g.constI64("batch_index", 0));
        Out shape = g.op("empty_cache_shape", "Concat", "opset1", attrs("axis", "0"), batch,
                g.constI64("cache_dims", heads, 0, headDim));
        return g.op("empty_cache", "Broadcast", "opset3", attrs("mode", NUMPY), g.scalarF32("zero", 0f), shape);
    }

    /** past (reordered by beam_idx) ++ current along the sequence axis, written back to the state. */
    Out cached(int layer, String kind, Out current, Out beamIdx, Out emptyCache, int heads, int headDim) {
        String variable = "past_key_values." + layer + "." + kind + "present." + layer + "." + kind;
        Out past = g.op(variable + "/read", "ReadValue", "opset6", attrs("variable_id", variable,
                "variable_type", "f32", "variable_shape", "?," + heads + ",?," + headDim), emptyCache);
        Out reordered = gather(variable + "/beam", past, beamIdx);
        Out all = g.op(variable + "/concat", "Concat", "opset1", attrs("axis", "2"), reordered, current);
        g.sink(variable + "/assign", "Assign", "opset6", attrs("variable_id", variable), all);
        return all;
    }

    /**
     * [batch, 1, query, key] additive mask: a query at absolute position p sees keys 0..p that the
     * attention mask keeps, and with a sliding window only keys after {@code p - window}. Queries
     * are the last {@code seq} of {@code total} positions.
     */
    Out causalMask(Out inputIds, Out attentionMask, int slidingWindow) {
        Out one = g.scalarI64("mask/one", 1);
        Out total = gather("mask/total", g.op("mask/mask_shape", "ShapeOf", "opset3", attrs("output_type", "i64"), attentionMask), one);
        Out seq = gather("mask/seq", g.op("mask/ids_shape", "ShapeOf", "opset3", attrs("output_type", "i64"), inputIds), one);
        Out past = g.op("mask/past", "Subtract", "opset1", attrs("auto_broadcast", NUMPY), total, seq);
        Out queryPos = g.op("mask/query_positions", "Range", "opset4", attrs("output_type", "i64"), past, total, one);
        Out keyPos = g.op("mask/key_positions", "Range", "opset4", attrs("output_type", "i64"),
                g.scalarI64("mask/zero", 0), total, one);
        Out keys = g.op("mask/keys_row", "Unsqueeze", "opset1", Map.of(), keyPos, g.constI64("mask/row_axis", 0));
        Out queries = g.op("mask/queries_col", "Unsqueeze", "opset1", Map.of(), queryPos, g.constI64("mask/col_axis", 1));
        Out causal = g.op("mask/causal", "LessEqual", "opset1", attrs("auto_broadcast", NUMPY), keys, queries);
        if (slidingWindow > 0) {
            Out oldest = g.op("mask/window_start", "Subtract", "opset1", attrs("auto_broadcast", NUMPY), queries,
                    g.scalarI64("mask/window", slidingWindow));
            Out inWindow = g.op("mask/in_window", "Greater", "opset1", attrs("auto_broadcast", NUMPY), keys, oldest);
            causal = g.op("mask/causal_window", "LogicalAnd", "opset1", attrs("auto_broadcast", NUMPY), causal, inWindow);
        }
        Out kept = g.op("mask/kept", "Greater", "opset1", attrs("auto_broadcast", NUMPY), attentionMask, g.scalarI64("mask/zero_i64", 0));
        Out keptBroadcast = g.op("mask/kept_4d", "Unsqueeze", "opset1", Map.of(), kept, g.constI64("mask/kept_axes", 1, 2));
        Out allowed = g.op("mask/allowed", "LogicalAnd", "opset1", attrs("auto_broadcast", NUMPY), causal, keptBroadcast);
        // The most negative finite float, not -inf: a fully masked (padding) row must not become NaN.
        return g.op("mask/additive", "Select", "opset1", attrs("auto_broadcast", NUMPY), allowed,
                g.scalarF32("mask/open", 0f), g.scalarF32("mask/closed", -Float.MAX_VALUE));
    }

    /** {@code [batch, seq, heads * headDim]} → {@code [batch, seq, heads, headDim]}. */
    Out splitHeads(String name, Out x, int heads, int headDim) {
        return g.op(name + "/split_heads", "Reshape", "opset1", attrs("special_zero", "true"), x,
                g.constI64(name + "/heads_shape", 0, 0, heads, headDim));
    }

    /** Swaps the sequence and head axes: {@code [b, s, h, d]} ↔ {@code [b, h, s, d]}. */
    Out transpose(String name, Out x) {
        return g.op(name + "/transpose", "Transpose", "opset1", Map.of(), x, g.constI64(name + "/order", 0, 2, 1, 3));
    }

    /** {@code [batch, heads, seq, headDim]} attention output → {@code [batch, seq, width]}. */
    Out mergeHeads(String name, Out attn, int width) {
        return g.op(name + "/merge_heads", "Reshape", "opset1", attrs("special_zero", "true"),
                transpose(name + "/out", attn), g.constI64(name + "/merged_shape", 0, 0, width));
    }

    /** Grouped-query attention: each of {@code kvHeads} heads serves {@code groups} query heads, as transformers' repeat_kv. */
    Out repeatKv(String name, Out x, int kvHeads, int groups, int headDim) {
        if (groups == 1) {
            return x;
        }
        Out unsqueezed = g.op(name + "/unsqueeze", "Unsqueeze", "opset1", Map.of(), x, g.constI64(name + "/group_axis", 2));
        Out broadcast = g.op(name + "/broadcast", "Broadcast", "opset3", attrs("mode", "bidirectional"), unsqueezed,
                g.constI64(name + "/groups", 1, 1, groups, 1, 1));
        return g.op(name + "/repeat", "Reshape", "opset1", attrs("special_zero", "true"), broadcast,
                g.constI64(name + "/repeat_shape", 0, kvHeads * groups, -1, headDim));
    }

    Out sdpa(String name, Out q, Out k, Out v, Out mask) {
        return g.op(name, "ScaledDotProductAttention", "opset13", attrs("causal", "false"), q, k, v, mask);
    }

    /** {@code x / sqrt(mean(x²) + eps) * weight} over the last axis. */
    Out rmsNorm(String name, Out x, Out weight, double eps) {
        Out squares = g.op(name + "/square", "Multiply", "opset1", attrs("auto_broadcast", NUMPY), x, x);
        Out mean = g.op(name + "/mean", "ReduceMean", "opset1", attrs("keep_dims", "true"), squares, g.constI64(name + "/axes", -1));
        Out rms = g.op(name + "/sqrt", "Sqrt", "opset1", Map.of(),
                g.op(name + "/eps", "Add", "opset1", attrs("auto_broadcast", NUMPY), mean, g.scalarF32(name + "/epsilon", (float) eps)));
        Out normed = g.op(name + "/normalize", "Divide", "opset1", attrs("auto_broadcast", NUMPY, "m_pythondiv", "true"), x, rms);
        return g.op(name + "/scale", "Multiply", "opset1", attrs("auto_broadcast", NUMPY), normed, weight);
    }

    /** cos/sin of {@code position × inverseFrequency}, the pair angles repeated twice as transformers' rotate_half layout wants. */
    Rotary rotary(Out positionIds, double[] inverseFrequencies) {
        int half = inverseFrequencies.length;
        ByteBuffer b = IrGraph.buffer(half * 4L);
        for (double f : inverseFrequencies) {
            b.putFloat((float) f);
        }
        Out inv = g.constant("rope/inv_freq", IrType.F32, new long[] {1, 1, half}, b.flip());
        Out pos = g.op("rope/positions", "Convert", "opset1", attrs("destination_type", "f32"), positionIds);
        Out angles = g.op("rope/angles", "Multiply", "opset1", attrs("auto_broadcast", NUMPY),
                g.op("rope/positions_col", "Unsqueeze", "opset1", Map.of(), pos, g.constI64("rope/pos_axis", 2)), inv);
        Out both = g.op("rope/emb", "Concat", "opset1", attrs("axis", "-1"), angles, angles);
        Out headAxis = g.constI64("rope/head_axis", 1);
        Out cos = g.op("rope/cos_4d", "Unsqueeze", "opset1", Map.of(), g.op("rope/cos", "Cos", "opset1", Map.of(), both), headAxis);
        Out sin = g.op("rope/sin_4d", "Unsqueeze", "opset1", Map.of(), g.op("rope/sin", "Sin", "opset1", Map.of(), both), headAxis);
        return new Rotary(cos, sin, 2 * half);
    }

    /** {@code x * cos + rotate_half(x) * sin} on {@code [batch, heads, seq, headDim]}. */
    Out rotate(String name, Out x, Rotary r) {
        List<Out> halves = g.opMulti(name + "/halves", "Split", "opset1", attrs("num_splits", "2"), 2, x,
                g.scalarI64(name + "/last_axis", -1));
        Out negated = g.op(name + "/negate", "Multiply", "opset1", attrs("auto_broadcast", NUMPY), halves.get(1),
                g.scalarF32(name + "/minus_one", -1f));
        Out rotated = g.op(name + "/rotate_half", "Concat", "opset1", attrs("axis", "-1"), negated, halves.get(0));
        return add(name + "/rope", multiply(name + "/times_cos", x, r.cos()), multiply(name + "/times_sin", rotated, r.sin()));
    }

    Out add(String name, Out a, Out b) {
        return g.op(name, "Add", "opset1", attrs("auto_broadcast", NUMPY), a, b);
    }

    Out multiply(String name, Out a, Out b) {
        return g.op(name, "Multiply", "opset1", attrs("auto_broadcast", NUMPY), a, b);
    }
}

package dev.ovserve.models.ir;

import static dev.ovserve.models.ir.IrGraph.attrs;

import dev.ovserve.models.ir.IrGraph.Out;
import java.util.Map;

/**
 * Builds GPT-2 as the stateful causal-LM graph optimum-intel exports: inputs {@code input_ids},
 * {@code attention_mask}, {@code position_ids}, {@code beam_idx}; output {@code logits}; each
 * layer's keys and values kept in ReadValue/Assign state (reordered by {@code beam_idx}) and
 * attention as ScaledDotProductAttention. Keeping that exact shape lets OpenVINO's
 * SDPAToPagedAttention recognise our models as it recognises exported ones.
 */
final class Gpt2GraphBuilder {

    /** Where the builder gets weights, by Hugging Face tensor name (without "transformer."). */
    interface Weights {
        float[] floats(String name);
    }

    record Dims(int layers, int heads, int hidden, int inner, int vocab, int positions, float layerNormEps,
                boolean tanhGelu) {
        int headSize() {
            return hidden / heads;
        }
    }

    private static final String NUMPY = "numpy";

    private final IrGraph g;
    private final WeightWriter ww;
    private final Weights weights;
    private final Dims d;

    Gpt2GraphBuilder(IrGraph g, WeightOptions options, Weights weights, Dims dims) {
        this.g = g;
        this.ww = new WeightWriter(g, options);
        this.weights = weights;
        this.d = dims;
    }

    void build() {
        Out inputIds = g.parameter("input_ids", IrType.I64, "?,?");
        Out attentionMask = g.parameter("attention_mask", IrType.I64, "?,?");
        Out positionIds = g.parameter("position_ids", IrType.I64, "?,?");
        Out beamIdx = g.parameter("beam_idx", IrType.I32, "?");

        Out axis0 = g.scalarI64("axis0", 0);
        Out wte = ww.weight("wte.weight", weights.floats("wte.weight"), d.vocab(), d.hidden());
        Out wpe = ww.weight("wpe.weight", weights.floats("wpe.weight"), d.positions(), d.hidden());
        Out tokens = g.op("embed_tokens", "Gather", "opset8", attrs("batch_dims", "0"), wte, inputIds, axis0);
        Out positions = g.op("embed_positions", "Gather", "opset8", attrs("batch_dims", "0"), wpe, positionIds, axis0);
        Out h = add("embeddings", tokens, positions);

        Out mask = causalMask(inputIds, attentionMask);
        Out batch = g.op("batch_size", "Gather", "opset8", attrs("batch_dims", "0"),
                g.op("input_ids_shape", "ShapeOf", "opset3", attrs("output_type", "i64"), inputIds),
                g.constI64("batch_index", 0), axis0);
        Out emptyCacheShape = g.op("empty_cache_shape", "Concat", "opset1", attrs("axis", "0"),
                batch, g.constI64("cache_dims", d.heads(), 0, d.headSize()));
        Out emptyCache = g.op("empty_cache", "Broadcast", "opset3", attrs("mode", NUMPY),
                g.scalarF32("zero", 0f), emptyCacheShape);

        for (int i = 0; i < d.layers(); i++) {
            h = block(i, h, mask, beamIdx, emptyCache, axis0);
        }
        h = layerNorm("ln_f", h);
        Out logits = g.op("lm_head", "MatMul", "opset1", attrs("transpose_a", "false", "transpose_b", "true"), h, wte);
        g.result("logits", logits);
    }

    private Out block(int i, Out h, Out mask, Out beamIdx, Out emptyCache, Out axis0) {
        String p = "h." + i + ".";
        Out x = layerNorm(p + "ln_1", h);

        int e = d.hidden();
        float[] wqkv = WeightWriter.transpose(weights.floats(p + "attn.c_attn.weight"), e, 3 * e);
        float[] bqkv = weights.floats(p + "attn.c_attn.bias");
        Out q = heads(p + "attn.q", linear(p + "attn.q", x, slice(wqkv, 0, e * e), slice(bqkv, 0, e), e, e));
        Out k = heads(p + "attn.k", linear(p + "attn.k", x, slice(wqkv, e * e, e * e), slice(bqkv, e, e), e, e));
        Out v = heads(p + "attn.v", linear(p + "attn.v", x, slice(wqkv, 2 * e * e, e * e), slice(bqkv, 2 * e, e), e, e));

        Out keys = cached(i, "key", k, beamIdx, emptyCache, axis0);
        Out values = cached(i, "value", v, beamIdx, emptyCache, axis0);
        Out attn = g.op(p + "attn/sdpa", "ScaledDotProductAttention", "opset13", attrs("causal", "false"),
                q, keys, values, mask);
        Out merged = g.op(p + "attn/merge_heads", "Reshape", "opset1", attrs("special_zero", "true"),
                transpose(p + "attn/out", attn), g.constI64(p + "attn/merged_shape", 0, 0, e));
        Out proj = linear(p + "attn.c_proj", merged,
                WeightWriter.transpose(weights.floats(p + "attn.c_proj.weight"), e, e),
                weights.floats(p + "attn.c_proj.bias"), e, e);
        h = add(p + "attn/residual", h, proj);

        Out x2 = layerNorm(p + "ln_2", h);
        Out fc = linear(p + "mlp.c_fc", x2, WeightWriter.transpose(weights.floats(p + "mlp.c_fc.weight"), e, d.inner()),
                weights.floats(p + "mlp.c_fc.bias"), d.inner(), e);
        Out act = g.op(p + "mlp/gelu", "Gelu", "opset7", attrs("approximation_mode", d.tanhGelu() ? "tanh" : "erf"), fc);
        Out down = linear(p + "mlp.c_proj", act,
                WeightWriter.transpose(weights.floats(p + "mlp.c_proj.weight"), d.inner(), e),
                weights.floats(p + "mlp.c_proj.bias"), e, d.inner());
        return add(p + "mlp/residual", h, down);
    }

    /** past (reordered by beam_idx) ++ current along the sequence axis, written back to the state. */
    private Out cached(int layer, String kind, Out current, Out beamIdx, Out emptyCache, Out axis0) {
        String variable = "past_key_values." + layer + "." + kind + "present." + layer + "." + kind;
        Out past = g.op(variable + "/read", "ReadValue", "opset6", attrs("variable_id", variable,
                "variable_type", "f32", "variable_shape", "?," + d.heads() + ",?," + d.headSize()), emptyCache);
        Out reordered = g.op(variable + "/beam", "Gather", "opset8", attrs("batch_dims", "0"), past, beamIdx, axis0);
        Out all = g.op(variable + "/concat", "Concat", "opset1", attrs("axis", "2"), reordered, current);
        g.sink(variable + "/assign", "Assign", "opset6", attrs("variable_id", variable), all);
        return all;
    }

    /**
     * [batch, 1, query, key] additive mask: a query at absolute position p sees keys 0..p that
     * the attention mask keeps. Queries are the last {@code seq} of {@code total} positions.
     */
    private Out causalMask(Out inputIds, Out attentionMask) {
        Out axis0 = g.scalarI64("mask/axis0", 0);
        Out one = g.scalarI64("mask/one", 1);
        Out total = g.op("mask/total", "Gather", "opset8", attrs("batch_dims", "0"),
                g.op("mask/mask_shape", "ShapeOf", "opset3", attrs("output_type", "i64"), attentionMask), one, axis0);
        Out seq = g.op("mask/seq", "Gather", "opset8", attrs("batch_dims", "0"),
                g.op("mask/ids_shape", "ShapeOf", "opset3", attrs("output_type", "i64"), inputIds), one, axis0);
        Out past = g.op("mask/past", "Subtract", "opset1", attrs("auto_broadcast", NUMPY), total, seq);
        Out queryPos = g.op("mask/query_positions", "Range", "opset4", attrs("output_type", "i64"), past, total, one);
        Out keyPos = g.op("mask/key_positions", "Range", "opset4", attrs("output_type", "i64"),
                g.scalarI64("mask/zero", 0), total, one);
        Out causal = g.op("mask/causal", "LessEqual", "opset1", attrs("auto_broadcast", NUMPY),
                g.op("mask/keys_row", "Unsqueeze", "opset1", Map.of(), keyPos, g.constI64("mask/row_axis", 0)),
                g.op("mask/queries_col", "Unsqueeze", "opset1", Map.of(), queryPos, g.constI64("mask/col_axis", 1)));
        Out kept = g.op("mask/kept", "Greater", "opset1", attrs("auto_broadcast", NUMPY), attentionMask, g.scalarI64("mask/zero_i64", 0));
        Out keptBroadcast = g.op("mask/kept_4d", "Unsqueeze", "opset1", Map.of(), kept, g.constI64("mask/kept_axes", 1, 2));
        Out allowed = g.op("mask/allowed", "LogicalAnd", "opset1", attrs("auto_broadcast", NUMPY), causal, keptBroadcast);
        // The most negative finite float, not -inf: a fully masked (padding) row must not become NaN.
        return g.op("mask/additive", "Select", "opset1", attrs("auto_broadcast", NUMPY), allowed,
                g.scalarF32("mask/open", 0f), g.scalarF32("mask/closed", -Float.MAX_VALUE));
    }

    private Out heads(String name, Out x) {
        Out split = g.op(name + "/split_heads", "Reshape", "opset1", attrs("special_zero", "true"), x,
                g.constI64(name + "/heads_shape", 0, 0, d.heads(), d.headSize()));
        return transpose(name, split);
    }

    private Out transpose(String name, Out x) {
        return g.op(name + "/transpose", "Transpose", "opset1", Map.of(), x, g.constI64(name + "/order", 0, 2, 1, 3));
    }

    private Out linear(String name, Out x, float[] weightOutIn, float[] bias, int out, int in) {
        Out w = ww.linearWeight(name + ".weight", weightOutIn, out, in);
        Out mm = g.op(name + "/matmul", "MatMul", "opset1", attrs("transpose_a", "false", "transpose_b", "true"), x, w);
        return add(name + "/bias", mm, ww.f32(name + ".bias", bias, out));
    }

    private Out layerNorm(String name, Out x) {
        Out mvn = g.op(name + "/mvn", "MVN", "opset6", attrs("eps", Float.toString(d.layerNormEps()),
                "normalize_variance", "true", "eps_mode", "inside_sqrt"), x, g.constI64(name + "/axes", -1));
        Out scaled = g.op(name + "/scale", "Multiply", "opset1", attrs("auto_broadcast", NUMPY), mvn,
                ww.f32(name + ".weight", weights.floats(name + ".weight"), d.hidden()));
        return add(name + "/shift", scaled, ww.f32(name + ".bias", weights.floats(name + ".bias"), d.hidden()));
    }

    private Out add(String name, Out a, Out b) {
        return g.op(name, "Add", "opset1", attrs("auto_broadcast", NUMPY), a, b);
    }

    private static float[] slice(float[] a, int from, int length) {
        return java.util.Arrays.copyOfRange(a, from, from + length);
    }
}

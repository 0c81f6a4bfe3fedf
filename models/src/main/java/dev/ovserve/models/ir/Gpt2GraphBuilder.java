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
    private final DecoderBlocks b;
    private final WeightWriter ww;
    private final Weights weights;
    private final Dims d;

    Gpt2GraphBuilder(IrGraph g, WeightOptions options, Weights weights, Dims dims) {
        this.g = g;
        this.b = new DecoderBlocks(g);
        this.ww = new WeightWriter(g, options);
        this.weights = weights;
        this.d = dims;
    }

    void build() {
        DecoderBlocks.Inputs in = b.inputs();
        Out wte = ww.weight("wte.weight", weights.floats("wte.weight"), d.vocab(), d.hidden());
        Out wpe = ww.weight("wpe.weight", weights.floats("wpe.weight"), d.positions(), d.hidden());
        Out h = add("embeddings", b.gather("embed_tokens", wte, in.inputIds()), b.gather("embed_positions", wpe, in.positionIds()));
        Out mask = b.causalMask(in.inputIds(), in.attentionMask(), 0);
        Out emptyCache = b.emptyCache(in.inputIds(), d.heads(), d.headSize());
        for (int i = 0; i < d.layers(); i++) {
            h = block(i, h, mask, in.beamIdx(), emptyCache);
        }
        h = layerNorm("ln_f", h);
        Out logits = g.op("lm_head", "MatMul", "opset1", attrs("transpose_a", "false", "transpose_b", "true"), h, wte);
        g.result("logits", logits);
    }

    private Out block(int i, Out h, Out mask, Out beamIdx, Out emptyCache) {
        String p = "h." + i + ".";
        Out x = layerNorm(p + "ln_1", h);

        int e = d.hidden();
        float[] wqkv = WeightWriter.transpose(weights.floats(p + "attn.c_attn.weight"), e, 3 * e);
        float[] bqkv = weights.floats(p + "attn.c_attn.bias");
        Out q = heads(p + "attn.q", linear(p + "attn.q", x, slice(wqkv, 0, e * e), slice(bqkv, 0, e), e, e));
        Out k = heads(p + "attn.k", linear(p + "attn.k", x, slice(wqkv, e * e, e * e), slice(bqkv, e, e), e, e));
        Out v = heads(p + "attn.v", linear(p + "attn.v", x, slice(wqkv, 2 * e * e, e * e), slice(bqkv, 2 * e, e), e, e));

        Out keys = b.cached(i, "key", k, beamIdx, emptyCache, d.heads(), d.headSize());
        Out values = b.cached(i, "value", v, beamIdx, emptyCache, d.heads(), d.headSize());
        Out merged = b.mergeHeads(p + "attn", b.sdpa(p + "attn/sdpa", q, keys, values, mask), e);
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

    private Out heads(String name, Out x) {
        return b.transpose(name, b.splitHeads(name, x, d.heads(), d.headSize()));
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

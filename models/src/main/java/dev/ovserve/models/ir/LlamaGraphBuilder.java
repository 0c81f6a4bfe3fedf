package dev.ovserve.models.ir;

import static dev.ovserve.models.ir.IrGraph.attrs;

import dev.ovserve.models.LlamaConfig;
import dev.ovserve.models.ir.IrGraph.Out;
import dev.ovserve.models.quant.QuantizedMatrix;

/**
 * Builds the Llama family (Llama, Mistral, Qwen2, Qwen3) as the stateful graph optimum-intel
 * exports: token embedding, per layer RMSNorm → q/k/v projections (biases for Qwen2, per-head
 * RMSNorm of q and k for Qwen3) → rotary embeddings → grouped-query SDPA over the cached keys and
 * values → output projection, RMSNorm → SwiGLU MLP; final RMSNorm and the LM head (tied to the
 * embedding or not).
 */
final class LlamaGraphBuilder {
    private final IrGraph g;
    private final DecoderBlocks b;
    private final WeightWriter ww;
    private final SourceWeights weights;
    private final LlamaConfig c;

    LlamaGraphBuilder(IrGraph g, WeightOptions options, SourceWeights weights, LlamaConfig config) {
        this.g = g;
        this.b = new DecoderBlocks(g);
        this.ww = new WeightWriter(g, options);
        this.weights = weights;
        this.c = config;
    }

    void build() {
        DecoderBlocks.Inputs in = b.inputs();
        Out embedding = matrix("model.embed_tokens.weight", c.vocabSize(), c.hiddenSize(), false);
        Out h = b.gather("embed_tokens", embedding, in.inputIds());
        Out mask = b.causalMask(in.inputIds(), in.attentionMask(), c.slidingWindow());
        Out emptyCache = b.emptyCache(in.inputIds(), c.numKvHeads(), c.headDim());
        DecoderBlocks.Rotary rotary = b.rotary(in.positionIds(), c.inverseFrequencies());
        for (int i = 0; i < c.numLayers(); i++) {
            h = layer(i, h, mask, in.beamIdx(), emptyCache, rotary);
        }
        h = rmsNorm("model.norm", h, c.hiddenSize());
        boolean tied = c.tieWordEmbeddings() || !weights.has("lm_head.weight");
        Out head = tied ? embedding : matrix("lm_head.weight", c.vocabSize(), c.hiddenSize(), false);
        g.result("logits", g.op("lm_head", "MatMul", "opset1", attrs("transpose_a", "false", "transpose_b", "true"), h, head));
    }

    private Out layer(int i, Out h, Out mask, Out beamIdx, Out emptyCache, DecoderBlocks.Rotary rotary) {
        String p = "model.layers." + i + ".";
        int hd = c.headDim();
        Out x = rmsNorm(p + "input_layernorm", h, c.hiddenSize());
        Out q = b.splitHeads(p + "self_attn.q", linear(p + "self_attn.q_proj", x, c.numHeads() * hd, c.hiddenSize(),
                c.attentionBias()), c.numHeads(), hd);
        Out k = b.splitHeads(p + "self_attn.k", linear(p + "self_attn.k_proj", x, c.numKvHeads() * hd, c.hiddenSize(),
                c.attentionBias()), c.numKvHeads(), hd);
        Out v = b.splitHeads(p + "self_attn.v", linear(p + "self_attn.v_proj", x, c.numKvHeads() * hd, c.hiddenSize(),
                c.attentionBias()), c.numKvHeads(), hd);
        if (c.qkNorm()) {
            q = rmsNorm(p + "self_attn.q_norm", q, hd);
            k = rmsNorm(p + "self_attn.k_norm", k, hd);
        }
        q = b.rotate(p + "self_attn.q", b.transpose(p + "self_attn.q", q), rotary);
        k = b.rotate(p + "self_attn.k", b.transpose(p + "self_attn.k", k), rotary);
        v = b.transpose(p + "self_attn.v", v);

        int groups = c.numHeads() / c.numKvHeads();
        Out keys = b.repeatKv(p + "self_attn.k", b.cached(i, "key", k, beamIdx, emptyCache, c.numKvHeads(), hd),
                c.numKvHeads(), groups, hd);
        Out values = b.repeatKv(p + "self_attn.v", b.cached(i, "value", v, beamIdx, emptyCache, c.numKvHeads(), hd),
                c.numKvHeads(), groups, hd);
        Out attn = b.mergeHeads(p + "self_attn", b.sdpa(p + "self_attn/sdpa", q, keys, values, mask), c.numHeads() * hd);
        h = b.add(p + "self_attn/residual", h, linear(p + "self_attn.o_proj", attn, c.hiddenSize(), c.numHeads() * hd, false));

        Out x2 = rmsNorm(p + "post_attention_layernorm", h, c.hiddenSize());
        Out gate = linear(p + "mlp.gate_proj", x2, c.intermediateSize(), c.hiddenSize(), false);
        Out up = linear(p + "mlp.up_proj", x2, c.intermediateSize(), c.hiddenSize(), false);
        Out act = b.multiply(p + "mlp/gated", g.op(p + "mlp/silu", "Swish", "opset4", java.util.Map.of(), gate), up);
        return b.add(p + "mlp/residual", h, linear(p + "mlp.down_proj", act, c.hiddenSize(), c.intermediateSize(), false));
    }

    private Out linear(String name, Out x, int out, int in, boolean bias) {
        Out mm = g.op(name + "/matmul", "MatMul", "opset1", attrs("transpose_a", "false", "transpose_b", "true"), x,
                matrix(name + ".weight", out, in, true));
        return bias ? b.add(name + "/bias", mm, ww.f32(name + ".bias", weights.floats(name + ".bias"), out)) : mm;
    }

    /** A source's own low-bit blocks are written as they are; float weights go through the requested format. */
    private Out matrix(String name, int rows, int cols, boolean linear) {
        QuantizedMatrix q = weights.quantized(name);
        if (q != null) {
            if (q.rows() != rows || q.cols() != cols) {
                throw new IllegalArgumentException(name + " is " + q.rows() + "x" + q.cols() + ", config implies " + rows + "x" + cols);
            }
            return Compressed.write(g, name, q);
        }
        float[] values = weights.floats(name);
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, config implies " + rows + "x" + cols);
        }
        return linear ? ww.linearWeight(name, values, rows, cols) : ww.weight(name, values, rows, cols);
    }

    private Out rmsNorm(String name, Out x, int size) {
        return b.rmsNorm(name, x, ww.f32(name + ".weight", weights.floats(name + ".weight"), size), c.rmsNormEps());
    }
}

package dev.ovserve.models;

import dev.ovserve.models.safetensors.DType;
import dev.ovserve.models.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a Hugging Face Llama-family directory ({@code config.json}, {@code generation_config.json},
 * {@code chat_template.jinja}, {@code model.safetensors}) with random weights under transformers' tensor names, so tests and
 * the optimum-intel cross-check get real-format Llama, Mistral, Qwen2 and Qwen3 models offline.
 * Each tensor has its own stream seeded by (seed, name); norm scales are 1 + N(0, std²).
 */
public final class RandomLlamaGenerator {
    private final LlamaConfig config;
    private final long seed;
    private final double std;

    public RandomLlamaGenerator(LlamaConfig config, long seed, double std) {
        if (!(std > 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("init std must be positive and finite, got " + std);
        }
        this.config = config;
        this.seed = seed;
        this.std = std;
    }

    /**
     * A small config of the family: Qwen's tied embeddings, biases and q/k norms, Mistral's window
     * (as long as the context, as the real ones are); bos and eos are the end-of-text of the
     * tokenizer random-model writes: 50256 in GPT-2's vocabulary, else 256 (the byte-level one).
     */
    public static LlamaConfig config(String family, int layers, int hidden, int intermediate, int heads, int kvHeads,
                                     int vocab, int context) {
        return new LlamaConfig(family, layers, hidden, intermediate, heads, kvHeads, hidden / heads, vocab, context,
                1e-6, family.startsWith("qwen") ? 1_000_000.0 : 10_000.0, LlamaConfig.RopeScaling.NONE,
                family.startsWith("qwen"), family.equals("qwen2"), family.equals("qwen3"),
                family.equals("mistral") ? context : 0, vocab == 50257 ? 50256 : 256, vocab == 50257 ? 50256 : 256);
    }

    public LlamaConfig config() {
        return config;
    }

    public List<TensorSpec> tensorSpecs() {
        int e = config.hiddenSize();
        int hd = config.headDim();
        int q = config.numHeads() * hd;
        int kv = config.numKvHeads() * hd;
        int inner = config.intermediateSize();
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(TensorSpec.of("model.embed_tokens.weight", DType.F32, config.vocabSize(), e));
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            specs.add(TensorSpec.of(p + "input_layernorm.weight", DType.F32, e));
            specs.add(TensorSpec.of(p + "self_attn.q_proj.weight", DType.F32, q, e));
            specs.add(TensorSpec.of(p + "self_attn.k_proj.weight", DType.F32, kv, e));
            specs.add(TensorSpec.of(p + "self_attn.v_proj.weight", DType.F32, kv, e));
            if (config.attentionBias()) {
                specs.add(TensorSpec.of(p + "self_attn.q_proj.bias", DType.F32, q));
                specs.add(TensorSpec.of(p + "self_attn.k_proj.bias", DType.F32, kv));
                specs.add(TensorSpec.of(p + "self_attn.v_proj.bias", DType.F32, kv));
            }
            if (config.qkNorm()) {
                specs.add(TensorSpec.of(p + "self_attn.q_norm.weight", DType.F32, hd));
                specs.add(TensorSpec.of(p + "self_attn.k_norm.weight", DType.F32, hd));
            }
            specs.add(TensorSpec.of(p + "self_attn.o_proj.weight", DType.F32, e, q));
            specs.add(TensorSpec.of(p + "post_attention_layernorm.weight", DType.F32, e));
            specs.add(TensorSpec.of(p + "mlp.gate_proj.weight", DType.F32, inner, e));
            specs.add(TensorSpec.of(p + "mlp.up_proj.weight", DType.F32, inner, e));
            specs.add(TensorSpec.of(p + "mlp.down_proj.weight", DType.F32, e, inner));
        }
        specs.add(TensorSpec.of("model.norm.weight", DType.F32, e));
        if (!config.tieWordEmbeddings()) {
            specs.add(TensorSpec.of("lm_head.weight", DType.F32, config.vocabSize(), e));
        }
        return specs;
    }

    public float[] tensor(TensorSpec spec) {
        return RandomWeights.gaussian(seed, spec, spec.name().endsWith("norm.weight") ? 1.0 : 0.0, std);
    }

    public Path writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        config.write(dir);
        GenerationConfig d = GenerationConfig.defaults();
        new GenerationConfig(config.bosTokenId(), List.of(config.eosTokenId()), d.maxLength(), d.maxNewTokens(),
                d.doSample(), d.temperature(), d.topP(), d.topK()).write(dir);
        // the same plain template as the random GPT-2s: a model without one serves no chat
        Files.writeString(dir.resolve(RandomGpt2Generator.CHAT_TEMPLATE_FILE), RandomGpt2Generator.CHAT_TEMPLATE);
        List<TensorSpec> specs = tensorSpecs();
        RandomWeights.write(dir.resolve(RandomGpt2Generator.WEIGHTS_FILE), specs, this::tensor);
        return dir;
    }

}

package dev.ovserve.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The parts of a Hugging Face {@code config.json} that fix the forward pass of the Llama family
 * ({@code llama}, {@code mistral}, {@code qwen2}, {@code qwen3}): pre-norm blocks with RMSNorm,
 * rotary positions, grouped-query attention and a SwiGLU MLP. The families differ only in the
 * flags kept here, so one converter and one reference serve all four. Missing fields take each
 * family's transformers defaults.
 *
 * @param attentionBias  biases on q, k and v (Qwen2 always; Llama with {@code attention_bias})
 * @param qkNorm         RMSNorm over each head of q and k before RoPE (Qwen3)
 * @param slidingWindow  keys further back than this are not attended to; 0 for none (Mistral)
 */
public record LlamaConfig(
        String modelType,
        int numLayers,
        int hiddenSize,
        int intermediateSize,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int maxPositions,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean qkNorm,
        int slidingWindow,
        int bosTokenId,
        int eosTokenId) {

    public static final Set<String> FAMILIES = Set.of("llama", "mistral", "qwen2", "qwen3");

    /**
     * How RoPE frequencies are rescaled: {@code default} (none), {@code linear} (positions divided
     * by {@code factor}) or {@code llama3} (low frequencies divided by {@code factor}, a smooth
     * blend between {@code lowFreqFactor} and {@code highFreqFactor}).
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositions) {
        public static final RopeScaling NONE = new RopeScaling("default", 1, 0, 0, 0);

        /** The inverse frequencies of the {@code headDim / 2} rotary pairs, as transformers computes them. */
        public double[] inverseFrequencies(double theta, int headDim) {
            double[] inv = new double[headDim / 2];
            for (int i = 0; i < inv.length; i++) {
                inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            }
            switch (type) {
                case "default" -> { }
                case "linear" -> {
                    for (int i = 0; i < inv.length; i++) {
                        inv[i] /= factor;
                    }
                }
                case "llama3" -> {
                    double lowWavelen = originalMaxPositions / lowFreqFactor;
                    double highWavelen = originalMaxPositions / highFreqFactor;
                    for (int i = 0; i < inv.length; i++) {
                        double wavelen = 2 * Math.PI / inv[i];
                        if (wavelen > lowWavelen) {
                            inv[i] /= factor;
                        } else if (wavelen >= highWavelen) {
                            double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                            inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                        }
                    }
                }
                default -> throw new IllegalStateException(type);
            }
            return inv;
        }
    }

    public LlamaConfig {
        if (!FAMILIES.contains(modelType)) {
            throw new IllegalArgumentException("model_type '" + modelType + "' is not in the Llama family " + FAMILIES);
        }
        if (numLayers <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numHeads <= 0 || numKvHeads <= 0 || headDim <= 0
                || vocabSize <= 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("config sizes must be positive: num_hidden_layers=" + numLayers
                    + " hidden_size=" + hiddenSize + " intermediate_size=" + intermediateSize + " num_attention_heads="
                    + numHeads + " num_key_value_heads=" + numKvHeads + " head_dim=" + headDim + " vocab_size=" + vocabSize
                    + " max_position_embeddings=" + maxPositions);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads "
                    + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("rms_norm_eps and rope_theta must be positive");
        }
        if (slidingWindow < 0) {
            throw new IllegalArgumentException("sliding_window must not be negative, got " + slidingWindow);
        }
    }

    public double[] inverseFrequencies() {
        return ropeScaling.inverseFrequencies(ropeTheta, headDim);
    }

    public static LlamaConfig load(Path dir) throws IOException {
        Path file = dir.resolve(Gpt2Config.FILE_NAME);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "model directory has no " + Gpt2Config.FILE_NAME);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The {@code model_type} of a config.json, or null. */
    public static String modelType(Path dir) throws IOException {
        Path file = dir.resolve(Gpt2Config.FILE_NAME);
        return ConfigJson.object(Files.readString(file), Gpt2Config.FILE_NAME).path("model_type").asText(null);
    }

    public static LlamaConfig parse(String json) {
        JsonNode root = ConfigJson.object(json, Gpt2Config.FILE_NAME);
        String type = root.path("model_type").asText(null);
        if (!FAMILIES.contains(type)) {
            throw new IllegalArgumentException("model_type is " + (type == null ? "missing" : "'" + type + "'")
                    + "; the Llama-family converter takes " + FAMILIES);
        }
        String act = root.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("hidden_act '" + act + "' is not supported (only silu)");
        }
        if (root.path("mlp_bias").asBoolean(false)) {
            throw new IllegalArgumentException("mlp_bias=true is not supported");
        }
        int hidden = Gpt2Config.intField(root, "hidden_size", 4096);
        int heads = Gpt2Config.intField(root, "num_attention_heads", 32);
        boolean qwen = type.startsWith("qwen");
        int window = 0;
        if (type.equals("mistral")) {
            window = Gpt2Config.intField(root, "sliding_window", 0);
        } else if (qwen && Gpt2Config.boolField(root, "use_sliding_window", false)) {
            throw new IllegalArgumentException("use_sliding_window=true is not supported for " + type
                    + " (its window applies to some layers only)");
        }
        JsonNode params = root.get("rope_parameters"); // transformers 5 moves rope_theta and the scaling here
        JsonNode scaling = params != null && params.isObject() ? params : root.get("rope_scaling");
        double theta = Gpt2Config.doubleField(root, "rope_theta",
                scaling != null && scaling.has("rope_theta") ? scaling.get("rope_theta").asDouble() : 10000.0);
        int headDim = root.hasNonNull("head_dim") ? Gpt2Config.intField(root, "head_dim", 0)
                : type.equals("qwen3") ? 128 : hidden / heads;
        return new LlamaConfig(
                type,
                Gpt2Config.intField(root, "num_hidden_layers", 32),
                hidden,
                Gpt2Config.intField(root, "intermediate_size", 11008),
                heads,
                Gpt2Config.intField(root, "num_key_value_heads", heads),
                headDim,
                Gpt2Config.intField(root, "vocab_size", 32000),
                Gpt2Config.intField(root, "max_position_embeddings", 2048),
                Gpt2Config.doubleField(root, "rms_norm_eps", 1e-6),
                theta,
                ropeScaling(scaling),
                Gpt2Config.boolField(root, "tie_word_embeddings", false),
                type.equals("qwen2") || Gpt2Config.boolField(root, "attention_bias", false),
                type.equals("qwen3"),
                window,
                Gpt2Config.intField(root, "bos_token_id", 1),
                eos(root));
    }

    private static int eos(JsonNode root) {
        JsonNode n = root.get("eos_token_id");
        if (n != null && n.isArray() && !n.isEmpty()) {
            return n.get(0).asInt();
        }
        return Gpt2Config.intField(root, "eos_token_id", 2);
    }

    private static RopeScaling ropeScaling(JsonNode s) {
        if (s == null || s.isNull()) {
            return RopeScaling.NONE;
        }
        String type = s.has("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("default");
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling("linear", Gpt2Config.doubleField(s, "factor", 1), 0, 0, 0);
            case "llama3" -> new RopeScaling("llama3", Gpt2Config.doubleField(s, "factor", 8),
                    Gpt2Config.doubleField(s, "low_freq_factor", 1), Gpt2Config.doubleField(s, "high_freq_factor", 4),
                    Gpt2Config.intField(s, "original_max_position_embeddings", 8192));
            default -> throw new IllegalArgumentException("rope_scaling type '" + type
                    + "' is not supported (default, linear and llama3 are)");
        };
    }

    /** A config.json transformers loads as this family's ForCausalLM. */
    public String toJson() {
        ObjectNode root = ConfigJson.newObject();
        root.putArray("architectures").add(switch (modelType) {
            case "llama" -> "LlamaForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            default -> "Qwen3ForCausalLM";
        });
        root.put("model_type", modelType);
        root.put("attention_bias", modelType.equals("qwen2") ? true : attentionBias);
        root.put("attention_dropout", 0.0);
        root.put("bos_token_id", bosTokenId);
        root.put("eos_token_id", eosTokenId);
        root.put("head_dim", headDim);
        root.put("hidden_act", "silu");
        root.put("hidden_size", hiddenSize);
        root.put("initializer_range", 0.02);
        root.put("intermediate_size", intermediateSize);
        root.put("max_position_embeddings", maxPositions);
        root.put("num_attention_heads", numHeads);
        root.put("num_hidden_layers", numLayers);
        root.put("num_key_value_heads", numKvHeads);
        root.put("rms_norm_eps", rmsNormEps);
        root.put("rope_theta", ropeTheta);
        if (ropeScaling.type().equals("default")) {
            root.putNull("rope_scaling");
        } else {
            ObjectNode s = root.putObject("rope_scaling");
            s.put("rope_type", ropeScaling.type());
            s.put("factor", ropeScaling.factor());
            if (ropeScaling.type().equals("llama3")) {
                s.put("low_freq_factor", ropeScaling.lowFreqFactor());
                s.put("high_freq_factor", ropeScaling.highFreqFactor());
                s.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
            }
        }
        if (modelType.equals("mistral")) {
            if (slidingWindow > 0) {
                root.put("sliding_window", slidingWindow);
            } else {
                root.putNull("sliding_window");
            }
        }
        if (modelType.startsWith("qwen")) {
            root.put("use_sliding_window", false);
        }
        root.put("tie_word_embeddings", tieWordEmbeddings);
        root.put("torch_dtype", "float32");
        root.put("use_cache", true);
        root.put("vocab_size", vocabSize);
        return ConfigJson.text(root);
    }

    public void write(Path dir) throws IOException {
        ConfigJson.write(dir, Gpt2Config.FILE_NAME, toJson());
    }
}

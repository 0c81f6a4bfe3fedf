package dev.ovserve.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The parts of a Hugging Face GPT-2 {@code config.json} that determine the forward pass. Missing
 * fields take transformers' {@code GPT2Config} defaults, so any config transformers loads, this
 * loads the same way.
 *
 * @param nInner MLP width, already resolved ({@code n_inner: null} means {@code 4 * n_embd})
 * @param nCtx   legacy field kept by older configs; equals {@code n_positions} when absent
 */
public record Gpt2Config(
        int nLayer,
        int nHead,
        int nEmbd,
        int vocabSize,
        int nPositions,
        int nCtx,
        int nInner,
        double layerNormEpsilon,
        String activationFunction,
        int bosTokenId,
        int eosTokenId,
        boolean scaleAttnWeights,
        boolean tieWordEmbeddings) {

    public static final String FILE_NAME = "config.json";
    /** gelu_new and gelu_pytorch_tanh are the same tanh approximation; gelu is the exact erf form. */
    public static final Set<String> ACTIVATIONS = Set.of("gelu_new", "gelu_pytorch_tanh", "gelu");


    public Gpt2Config {
        if (nLayer <= 0 || nHead <= 0 || nEmbd <= 0 || vocabSize <= 0 || nPositions <= 0 || nCtx <= 0 || nInner <= 0) {
            throw new IllegalArgumentException("GPT-2 config sizes must be positive: n_layer=" + nLayer + " n_head=" + nHead
                    + " n_embd=" + nEmbd + " vocab_size=" + vocabSize + " n_positions=" + nPositions + " n_ctx=" + nCtx
                    + " n_inner=" + nInner);
        }
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        if (!(layerNormEpsilon > 0)) {
            throw new IllegalArgumentException("layer_norm_epsilon must be positive, got " + layerNormEpsilon);
        }
        if (!ACTIVATIONS.contains(activationFunction)) {
            throw new IllegalArgumentException("unsupported activation_function '" + activationFunction + "'; expected one of "
                    + ACTIVATIONS);
        }
    }

    /** A config in GPT-2's own style for the given sizes; bos/eos is the last token, as in GPT-2. */
    public static Gpt2Config of(Gpt2Shape shape) {
        return new Gpt2Config(shape.layers(), shape.heads(), shape.hidden(), shape.vocab(), shape.context(), shape.context(),
                shape.inner(), 1e-5, "gelu_new", shape.vocab() - 1, shape.vocab() - 1, true, true);
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    /** True for the tanh approximation (GPT-2's own), false for the exact erf GELU. */
    public boolean tanhGelu() {
        return !activationFunction.equals("gelu");
    }

    public Gpt2Shape shape() {
        if (nInner != 4 * nEmbd) {
            throw new IllegalStateException("n_inner " + nInner + " is not 4 * n_embd; no Gpt2Shape describes it");
        }
        return new Gpt2Shape(nLayer, nHead, nEmbd, vocabSize, nPositions);
    }

    public static Gpt2Config load(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "model directory has no " + FILE_NAME);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static Gpt2Config parse(String json) {
        JsonNode root = ConfigJson.object(json, FILE_NAME);
        String modelType = root.path("model_type").asText(null);
        if (!"gpt2".equals(modelType)) {
            throw new IllegalArgumentException("model_type is " + (modelType == null ? "missing" : "'" + modelType + "'")
                    + "; only 'gpt2' models are supported");
        }
        // These change the attention math and no GPT-2 checkpoint we serve uses them; refuse rather than run wrongly.
        if (root.path("scale_attn_by_inverse_layer_idx").asBoolean(false)) {
            throw new IllegalArgumentException("scale_attn_by_inverse_layer_idx=true is not supported");
        }
        if (root.path("reorder_and_upcast_attn").asBoolean(false)) {
            throw new IllegalArgumentException("reorder_and_upcast_attn=true is not supported");
        }
        int nEmbd = intField(root, "n_embd", 768);
        int nPositions = intField(root, "n_positions", 1024);
        return new Gpt2Config(
                intField(root, "n_layer", 12),
                intField(root, "n_head", 12),
                nEmbd,
                intField(root, "vocab_size", 50257),
                nPositions,
                intField(root, "n_ctx", nPositions),
                intField(root, "n_inner", 4 * nEmbd),
                doubleField(root, "layer_norm_epsilon", 1e-5),
                root.path("activation_function").isTextual() ? root.get("activation_function").asText() : "gelu_new",
                intField(root, "bos_token_id", 50256),
                intField(root, "eos_token_id", 50256),
                boolField(root, "scale_attn_weights", true),
                boolField(root, "tie_word_embeddings", true));
    }

    /** A config.json transformers loads as GPT2LMHeadModel (dropout fields included so training code is happy too). */
    public String toJson() {
        ObjectNode root = ConfigJson.newObject();
        root.put("activation_function", activationFunction);
        root.putArray("architectures").add("GPT2LMHeadModel");
        root.put("attn_pdrop", 0.1);
        root.put("bos_token_id", bosTokenId);
        root.put("embd_pdrop", 0.1);
        root.put("eos_token_id", eosTokenId);
        root.put("initializer_range", 0.02);
        root.put("layer_norm_epsilon", layerNormEpsilon);
        root.put("model_type", "gpt2");
        root.put("n_ctx", nCtx);
        root.put("n_embd", nEmbd);
        root.put("n_head", nHead);
        if (nInner == 4 * nEmbd) {
            root.putNull("n_inner");
        } else {
            root.put("n_inner", nInner);
        }
        root.put("n_layer", nLayer);
        root.put("n_positions", nPositions);
        root.put("reorder_and_upcast_attn", false);
        root.put("resid_pdrop", 0.1);
        root.put("scale_attn_by_inverse_layer_idx", false);
        root.put("scale_attn_weights", scaleAttnWeights);
        root.put("tie_word_embeddings", tieWordEmbeddings);
        root.put("torch_dtype", "float32");
        root.put("use_cache", true);
        root.put("vocab_size", vocabSize);
        return ConfigJson.text(root);
    }

    public void write(Path dir) throws IOException {
        ConfigJson.write(dir, FILE_NAME, toJson());
    }

    static int intField(JsonNode root, String name, int fallback) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException("'" + name + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    static double doubleField(JsonNode root, String name, double fallback) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("'" + name + "' must be a number, got " + n);
        }
        return n.doubleValue();
    }

    static boolean boolField(JsonNode root, String name, boolean fallback) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException("'" + name + "' must be true or false, got " + n);
        }
        return n.booleanValue();
    }
}

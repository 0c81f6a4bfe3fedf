package dev.ovserve.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What serving needs from any decoder's {@code config.json}, read generically: no per-family
 * code. Layers, KV heads, head size and vocabulary are not here — they come from the model
 * itself after the paged transform (its {@code key_cache.N}/{@code value_cache.N} inputs and
 * its logits), so a config that disagrees with its IR cannot mislead the engine.
 *
 * @param modelType     the config's {@code model_type}, for logs and docs only
 * @param contextLength the first positive context field found (see {@link #CONTEXT_FIELDS})
 * @param contextField  which field gave it
 * @param slidingWindow null when the model attends to its whole context
 * @param bosTokenId    null when the config names none
 * @param eosTokenIds   one id or a list in the file; always a list here (possibly empty)
 */
public record ModelConfig(
        String modelType,
        int contextLength,
        String contextField,
        Integer slidingWindow,
        Integer bosTokenId,
        List<Integer> eosTokenIds) {

    public static final String FILE_NAME = "config.json";
    /**
     * Where families keep their context length, in the order transformers-based servers look
     * (vLLM's {@code _get_and_verify_max_len}): Llama/Qwen/Mistral/Gemma/Phi/NeoX/OPT use the
     * first; GPT-2 {@code n_positions}; ChatGLM/Qwen-1 {@code seq_length}; MPT {@code max_seq_len}.
     */
    public static final List<String> CONTEXT_FIELDS = List.of("max_position_embeddings", "n_positions", "max_seq_len",
            "seq_length", "model_max_length", "max_sequence_length", "max_target_positions", "n_ctx");

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (contextLength <= 0) {
            throw new IllegalArgumentException("context length must be positive, got " + contextLength);
        }
    }

    public static ModelConfig load(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "model directory has no " + FILE_NAME
                    + " (ovserve reads the context length and special tokens from it)");
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig parse(String json) {
        JsonNode root = ConfigJson.object(json, FILE_NAME);
        // Multimodal wrappers (Gemma 3, Llava…) keep the decoder's settings under text_config.
        JsonNode text = root.path("text_config").isObject() ? root.get("text_config") : root;
        String modelType = root.path("model_type").asText("unknown");
        for (String field : CONTEXT_FIELDS) {
            JsonNode n = text.get(field);
            if (n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() > 0) {
                return new ModelConfig(modelType, n.intValue(), field, slidingWindow(text), tokenId(root, text, "bos_token_id"),
                        tokenIds(root.has("eos_token_id") ? root.get("eos_token_id") : text.get("eos_token_id")));
            }
        }
        throw new IllegalArgumentException("no context length: none of " + CONTEXT_FIELDS + " is a positive integer");
    }

    /** Null when absent, null, zero or switched off by {@code use_sliding_window: false} (Qwen2). */
    private static Integer slidingWindow(JsonNode root) {
        JsonNode n = root.get("sliding_window");
        if (n == null || !n.isIntegralNumber() || n.intValue() <= 0) {
            return null;
        }
        if (root.has("use_sliding_window") && !root.get("use_sliding_window").asBoolean(true)) {
            return null;
        }
        return n.intValue();
    }

    private static Integer tokenId(JsonNode root, JsonNode text, String name) {
        JsonNode n = root.has(name) ? root.get(name) : text.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw new IllegalArgumentException("'" + name + "' must be a token id, got " + n);
        }
        return n.intValue();
    }

    /** {@code eos_token_id} as one id or a list of ids (Llama 3 lists three). */
    static List<Integer> tokenIds(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<Integer> ids = new ArrayList<>();
        Iterable<JsonNode> items = node.isArray() ? node : List.of(node);
        for (JsonNode n : items) {
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
                throw new IllegalArgumentException("eos_token_id must be a token id or a list of them, got " + node);
            }
            ids.add(n.intValue());
        }
        return ids;
    }

    /** The context the engine may use: {@code --max-model-len} when given (never above the model's), else the model's. */
    public int servedContext(Integer requested) {
        if (requested == null) {
            return contextLength;
        }
        if (requested <= 0) {
            throw new IllegalArgumentException("--max-model-len must be positive, got " + requested);
        }
        if (requested > contextLength) {
            throw new IllegalArgumentException("--max-model-len " + requested + " exceeds the model's " + contextLength
                    + " positions (" + contextField + " in " + FILE_NAME + ")");
        }
        return requested;
    }
}

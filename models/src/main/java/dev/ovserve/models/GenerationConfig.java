package dev.ovserve.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's {@code generation_config.json}: its default sampling settings and special tokens.
 * Absent fields (or an absent file) take transformers' {@code GenerationConfig} defaults.
 *
 * @param bosTokenId   null when the file does not name one
 * @param eosTokenIds  the file allows one id or a list; always a list here (possibly empty)
 * @param maxNewTokens null when the file does not set it
 */
public record GenerationConfig(
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        int maxLength,
        Integer maxNewTokens,
        boolean doSample,
        double temperature,
        double topP,
        int topK) {

    public static final String FILE_NAME = "generation_config.json";

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** transformers' defaults: greedy, max_length 20, temperature 1, top_p 1, top_k 50. */
    public static GenerationConfig defaults() {
        return new GenerationConfig(null, List.of(), 20, null, false, 1.0, 1.0, 50);
    }

    /** What transformers derives from a model config when there is no generation_config.json. */
    public static GenerationConfig fromModelConfig(Gpt2Config config) {
        GenerationConfig d = defaults();
        return new GenerationConfig(config.bosTokenId(), List.of(config.eosTokenId()), d.maxLength(), d.maxNewTokens(),
                d.doSample(), d.temperature(), d.topP(), d.topK());
    }

    /** What transformers derives from any model's config.json when there is no generation_config.json. */
    public static GenerationConfig fromModelConfig(ModelConfig config) {
        GenerationConfig d = defaults();
        return new GenerationConfig(config.bosTokenId(), config.eosTokenIds(), d.maxLength(), d.maxNewTokens(),
                d.doSample(), d.temperature(), d.topP(), d.topK());
    }

    /**
     * Reads {@code dir/generation_config.json}. Without it, as transformers does, the special
     * tokens come from {@code config.json}; with neither, {@link #defaults()}.
     */
    public static GenerationConfig load(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Files.exists(dir.resolve(ModelConfig.FILE_NAME)) ? fromModelConfig(ModelConfig.load(dir)) : defaults();
        }
        try {
            return parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static GenerationConfig parse(String json) {
        JsonNode root = ConfigJson.object(json, FILE_NAME);
        GenerationConfig d = defaults();
        JsonNode bos = root.get("bos_token_id");
        JsonNode maxNew = root.get("max_new_tokens");
        return new GenerationConfig(
                bos == null || bos.isNull() ? null : Gpt2Config.intField(root, "bos_token_id", 0),
                eosIds(root.get("eos_token_id")),
                Gpt2Config.intField(root, "max_length", d.maxLength()),
                maxNew == null || maxNew.isNull() ? null : Gpt2Config.intField(root, "max_new_tokens", 0),
                Gpt2Config.boolField(root, "do_sample", d.doSample()),
                Gpt2Config.doubleField(root, "temperature", d.temperature()),
                Gpt2Config.doubleField(root, "top_p", d.topP()),
                Gpt2Config.intField(root, "top_k", d.topK()));
    }

    private static List<Integer> eosIds(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<Integer> ids = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> ids.add(tokenId(n)));
        } else {
            ids.add(tokenId(node));
        }
        return ids;
    }

    private static int tokenId(JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw new IllegalArgumentException("eos_token_id must be a token id or a list of them, got " + n);
        }
        return n.intValue();
    }

    /** The file transformers writes for a model whose generation settings come from its config. */
    public String toJson() {
        ObjectNode root = ConfigJson.newObject();
        GenerationConfig d = defaults();
        if (maxLength == d.maxLength() && maxNewTokens == null && doSample == d.doSample() && temperature == d.temperature()
                && topP == d.topP() && topK == d.topK()) {
            root.put("_from_model_config", true); // nothing here but the model config's special tokens
        }
        if (bosTokenId != null) {
            root.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            root.put("eos_token_id", eosTokenIds.getFirst());
        } else if (!eosTokenIds.isEmpty()) {
            eosTokenIds.forEach(root.putArray("eos_token_id")::add);
        }
        // Only non-default settings are written, as transformers does.
        if (maxLength != d.maxLength()) {
            root.put("max_length", maxLength);
        }
        if (maxNewTokens != null) {
            root.put("max_new_tokens", maxNewTokens);
        }
        if (doSample != d.doSample()) {
            root.put("do_sample", doSample);
        }
        if (temperature != d.temperature()) {
            root.put("temperature", temperature);
        }
        if (topP != d.topP()) {
            root.put("top_p", topP);
        }
        if (topK != d.topK()) {
            root.put("top_k", topK);
        }
        return ConfigJson.text(root);
    }

    public void write(Path dir) throws IOException {
        ConfigJson.write(dir, FILE_NAME, toJson());
    }
}

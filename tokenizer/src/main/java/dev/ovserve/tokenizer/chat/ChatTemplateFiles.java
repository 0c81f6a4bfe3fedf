package dev.ovserve.tokenizer.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds a model's chat template and special tokens in its files, in Hugging Face's order. */
final class ChatTemplateFiles {
    static final String JINJA_FILE = "chat_template.jinja";
    static final String JSON_FILE = "chat_template.json";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code source} null when the model has no template; tokens null when not configured. */
    record Found(String source, String bosToken, String eosToken) {}

    private ChatTemplateFiles() {}

    static Found read(Path dir) throws IOException {
        JsonNode config = readJson(dir.resolve(TOKENIZER_CONFIG));
        String bos = tokenText(config.path("bos_token"));
        String eos = tokenText(config.path("eos_token"));
        Path jinja = dir.resolve(JINJA_FILE);
        if (Files.isRegularFile(jinja)) {
            return new Found(Files.readString(jinja, StandardCharsets.UTF_8), bos, eos);
        }
        JsonNode separate = readJson(dir.resolve(JSON_FILE));
        if (separate.has("chat_template")) {
            return new Found(templateSource(separate.get("chat_template"), dir.resolve(JSON_FILE)), bos, eos);
        }
        return new Found(templateSource(config.path("chat_template"), dir.resolve(TOKENIZER_CONFIG)), bos, eos);
    }

    private static JsonNode readJson(Path file) throws IOException {
        return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : JSON.missingNode();
    }

    /** A string, or a list of {"name", "template"} of which "default" is the one to use. */
    private static String templateSource(JsonNode node, Path file) throws IOException {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText(null)) && named.path("template").isTextual()) {
                    return named.get("template").asText();
                }
            }
            throw new IOException(file + ": chat_template lists named templates but none is called \"default\"");
        }
        throw new IOException(file + ": chat_template must be a string or a list of named templates");
    }

    /** Special tokens are a string or an AddedToken object {"content": ...}. */
    private static String tokenText(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        return node.isObject() && node.path("content").isTextual() ? node.get("content").asText() : null;
    }
}

package dev.ovserve.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading and writing shared by the Hugging Face JSON config files. */
final class ConfigJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigJson() {}

    static ObjectNode newObject() {
        return PRETTY.createObjectNode();
    }

    /** Indented JSON with a final newline, as Hugging Face writes these files. */
    static String text(ObjectNode root) {
        try {
            return PRETTY.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path dir, String fileName, String text) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(fileName), text);
    }

    /** One JSON object, or a clear error naming the file. */
    static JsonNode object(String json, String fileName) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(fileName + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(fileName + " must be a JSON object");
        }
        return root;
    }
}

package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One function of a request's {@code tools}.
 *
 * @param parameters its JSON schema, {@code {"type": "object", "properties": {}}} when not given
 * @param original the tool object as sent, {@code {"type": "function", "function": {...}}}, for the chat template
 */
public record ToolDefinition(String name, String description, ObjectNode parameters, ObjectNode original) {
    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(original, "original");
    }
}

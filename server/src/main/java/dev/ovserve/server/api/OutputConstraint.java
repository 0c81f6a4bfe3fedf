package dev.ovserve.server.api;

import java.util.List;
import java.util.Objects;

/**
 * What the client asked the output to match, before compiling: one of OpenAI's
 * {@code response_format}, vLLM's {@code structured_outputs} or {@code guided_*}, llama.cpp's
 * {@code json_schema}/{@code grammar}, or what tool calling asks for.
 *
 * @param kind which matcher
 * @param source the JSON schema (compact JSON text), regex or GBNF grammar; null for
 *     {@link Kind#JSON_OBJECT} and {@link Kind#CHOICE}
 * @param choices the allowed outputs of {@link Kind#CHOICE}; empty otherwise
 * @param param the request field it came from, named in errors ({@code response_format.json_schema.schema})
 */
public record OutputConstraint(Kind kind, String source, List<String> choices, String param) {
    public enum Kind { JSON_SCHEMA, JSON_OBJECT, REGEX, CHOICE, GRAMMAR }

    public OutputConstraint {
        Objects.requireNonNull(kind, "kind");
        choices = List.copyOf(choices);
    }

    public static OutputConstraint jsonSchema(String schemaJson, String param) {
        return new OutputConstraint(Kind.JSON_SCHEMA, schemaJson, List.of(), param);
    }

    public static OutputConstraint jsonObject(String param) {
        return new OutputConstraint(Kind.JSON_OBJECT, null, List.of(), param);
    }

    public static OutputConstraint regex(String pattern, String param) {
        return new OutputConstraint(Kind.REGEX, pattern, List.of(), param);
    }

    public static OutputConstraint choice(List<String> choices, String param) {
        return new OutputConstraint(Kind.CHOICE, null, choices, param);
    }

    public static OutputConstraint grammar(String gbnf, String param) {
        return new OutputConstraint(Kind.GRAMMAR, gbnf, List.of(), param);
    }
}

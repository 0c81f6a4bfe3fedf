package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Typed reads of one JSON object's fields. Absent and {@code null} both mean "not given", as in
 * OpenAI's API. A value of the wrong JSON type is a 400 naming the parameter by its full path
 * ({@code stream_options.include_usage}, {@code messages[2].content}); numbers are never coerced
 * from strings or booleans, and an integer parameter refuses {@code 1.5} and {@code 1.0} alike.
 */
final class Fields {
    private final ObjectNode node;
    private final String prefix;

    Fields(ObjectNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    static Fields of(ObjectNode root) {
        return new Fields(root, "");
    }

    String path(String name) {
        return prefix + name;
    }

    /** The raw value, or null when absent or JSON null. */
    JsonNode get(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String string(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.invalidType(path(name), "a string", v);
        }
        return v.textValue();
    }

    Boolean bool(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalidType(path(name), "a boolean", v);
        }
        return v.booleanValue();
    }

    boolean bool(String name, boolean absent) {
        Boolean v = bool(name);
        return v == null ? absent : v;
    }

    Integer integer(String name) {
        JsonNode v = get(name);
        return v == null ? null : toInt(v, path(name));
    }

    static int toInt(JsonNode v, String param) {
        if (!v.isIntegralNumber()) {
            throw ApiException.invalidType(param, "an integer", v);
        }
        if (!v.canConvertToInt()) {
            throw ApiException.invalidValue(param, "Invalid value for '" + param + "': " + v.asText() + " is out of range.");
        }
        return v.intValue();
    }

    Long int64(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            throw ApiException.invalidType(path(name), "an integer", v);
        }
        if (!v.canConvertToLong()) {
            throw ApiException.invalidValue(path(name), "Invalid value for '" + path(name) + "': " + v.asText() + " is out of range.");
        }
        return v.longValue();
    }

    /** Any JSON number, integer or decimal. */
    Double number(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw ApiException.invalidType(path(name), "a number", v);
        }
        return v.doubleValue();
    }

    double number(String name, double absent) {
        Double v = number(name);
        return v == null ? absent : v;
    }

    ObjectNode object(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof ObjectNode o)) {
            throw ApiException.invalidType(path(name), "an object", v);
        }
        return o;
    }

    ArrayNode array(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof ArrayNode a)) {
            throw ApiException.invalidType(path(name), "an array", v);
        }
        return a;
    }

    /**
     * Rejects text holding an unpaired surrogate, which JSON's {@code \ud800} escapes can smuggle
     * in but which is not Unicode and which the tokenizer (UTF-8 inside) cannot take.
     */
    static String checkUnicode(String text, String param) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.invalidValue(param, "Invalid value for '" + param
                        + "': the text holds an unpaired surrogate escape (\\u" + Integer.toHexString(c)
                        + ") at index " + i + "; text must be valid Unicode.");
            }
        }
        return text;
    }
}

package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code prompt}: a string, an array of strings, an array of token ids, or an array of such arrays. */
final class Prompts {
    private static final String SHAPES = "a string, an array of strings, an array of token ids or an array of arrays of token ids";

    private Prompts() {}

    static List<PromptInput> parse(JsonNode prompt) {
        if (prompt == null) {
            throw ApiException.missing("prompt");
        }
        if (prompt.isTextual()) {
            return List.of(text(prompt, "prompt"));
        }
        if (!(prompt instanceof ArrayNode array)) {
            throw ApiException.invalidType("prompt", SHAPES, prompt);
        }
        if (array.isEmpty()) {
            throw empty("prompt");
        }
        JsonNode first = array.get(0);
        if (first.isIntegralNumber()) {
            return List.of(tokens(array, "prompt"));
        }
        var prompts = new ArrayList<PromptInput>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            String param = "prompt[" + i + "]";
            if (first.isTextual() && item.isTextual()) {
                prompts.add(text(item, param));
            } else if (first.isArray() && item instanceof ArrayNode ids) {
                prompts.add(tokens(ids, param));
            } else {
                throw ApiException.invalidType(param, first.isTextual() ? "a string like prompt[0]"
                        : first.isArray() ? "an array of token ids like prompt[0]" : SHAPES, item);
            }
        }
        return prompts;
    }

    private static PromptInput.Text text(JsonNode node, String param) {
        String text = node.textValue();
        if (text.isEmpty()) {
            throw empty(param);
        }
        return new PromptInput.Text(Fields.checkUnicode(text, param));
    }

    private static PromptInput.Tokens tokens(ArrayNode ids, String param) {
        if (ids.isEmpty()) {
            throw empty(param);
        }
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            String at = param + "[" + i + "]";
            JsonNode id = ids.get(i);
            if (!id.isIntegralNumber()) {
                throw ApiException.invalidType(at, "a token id (an integer)", id);
            }
            if (!id.canConvertToInt() || id.intValue() < 0) {
                throw ApiException.invalidValue(at, "Invalid value for '" + at + "': token ids are integers >= 0, got " + id.asText() + ".");
            }
            out[i] = id.intValue();
        }
        return new PromptInput.Tokens(out);
    }

    private static ApiException empty(String param) {
        return ApiException.invalidValue(param, "Invalid value for '" + param + "': the prompt must not be empty.");
    }
}

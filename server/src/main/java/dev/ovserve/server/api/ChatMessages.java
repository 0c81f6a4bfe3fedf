package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code messages} into what a chat template takes. Roles system, developer (OpenAI's newer
 * name for system, passed on as "system"), user and assistant; content a string or an array of
 * {@code {"type": "text", "text": ...}} parts, joined with "\n" as vLLM does. Tool and function
 * messages, tool calls and non-text parts are refused, not dropped: the answer would be wrong.
 */
final class ChatMessages {
    private ChatMessages() {}

    static List<ChatMessage> parse(Fields f) {
        ArrayNode messages = f.array("messages");
        if (messages == null) {
            throw ApiException.missing("messages");
        }
        if (messages.isEmpty()) {
            throw ApiException.invalidValue("messages", "Invalid value for 'messages': the conversation must not be empty.");
        }
        var out = new ArrayList<ChatMessage>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            String param = "messages[" + i + "]";
            if (!(messages.get(i) instanceof ObjectNode message)) {
                throw ApiException.invalidType(param, "an object", messages.get(i));
            }
            out.add(message(new Fields(message, param + "."), param));
        }
        return out;
    }

    private static ChatMessage message(Fields m, String param) {
        String role = m.string("role");
        if (role == null) {
            throw ApiException.missing(m.path("role"));
        }
        role = switch (role) {
            case "system", "user", "assistant" -> role;
            case "developer" -> "system";
            case "tool", "function" -> throw ApiException.unsupportedValue(m.path("role"),
                    "Messages with role '" + role + "' are not supported: this server does not support tools or functions.");
            default -> throw ApiException.invalidValue(m.path("role"), "Invalid value for '" + m.path("role") + "': '" + role
                    + "'. Supported roles are 'system', 'developer', 'user' and 'assistant'.");
        };
        if (nonEmpty(m.get("tool_calls")) || m.has("function_call")) {
            throw ApiException.unsupportedParameter(m.path(m.has("function_call") ? "function_call" : "tool_calls"),
                    "Tool and function calls are not supported by this server.");
        }
        JsonNode content = m.get("content");
        if (content == null) {
            if (role.equals("assistant")) {
                return new ChatMessage(role, ""); // OpenAI allows an assistant turn without content.
            }
            throw ApiException.missing(m.path("content"));
        }
        return new ChatMessage(role, Fields.checkUnicode(text(content, m.path("content")), m.path("content")));
    }

    private static String text(JsonNode content, String param) {
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!(content instanceof ArrayNode parts)) {
            throw ApiException.invalidType(param, "a string or an array of content parts", content);
        }
        var text = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            String at = param + "[" + i + "]";
            if (!(parts.get(i) instanceof ObjectNode part)) {
                throw ApiException.invalidType(at, "a content part object", parts.get(i));
            }
            Fields p = new Fields(part, at + ".");
            String type = p.string("type");
            if (type == null) {
                throw ApiException.missing(p.path("type"));
            }
            if (!type.equals("text")) {
                throw ApiException.unsupportedValue(p.path("type"), "Content parts of type '" + type
                        + "' are not supported: this server takes text only.");
            }
            String partText = p.string("text");
            if (partText == null) {
                throw ApiException.missing(p.path("text"));
            }
            if (i > 0) {
                text.append('\n');
            }
            text.append(partText);
        }
        return text.toString();
    }

    static boolean nonEmpty(JsonNode node) {
        return node != null && !(node.isArray() && node.isEmpty());
    }
}

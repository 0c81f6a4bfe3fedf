package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code messages} into what a chat template takes. Roles system, developer (OpenAI's newer
 * name for system, passed on as "system"), user and assistant; content a string or an array of
 * {@code {"type": "text", "text": ...}} parts, joined with "\n" as vLLM does. Tool results
 * ({@code role: "tool"} with {@code tool_call_id}) and an assistant's {@code tool_calls} go to the
 * chat template as transformers passes them, a call's {@code arguments} parsed into an object when
 * they are a JSON object (as vLLM does, since templates write them with {@code tojson}). Legacy
 * function messages and non-text parts are refused, not dropped: the answer would be wrong.
 */
final class ChatMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

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
            case "system", "user", "assistant", "tool" -> role;
            case "developer" -> "system";
            case "function" -> throw ApiException.unsupportedValue(m.path("role"),
                    "Messages with role 'function' are not supported: use role 'tool' with 'tool_call_id'.");
            default -> throw ApiException.invalidValue(m.path("role"), "Invalid value for '" + m.path("role") + "': '" + role
                    + "'. Supported roles are 'system', 'developer', 'user', 'assistant' and 'tool'.");
        };
        if (m.has("function_call")) {
            throw ApiException.unsupportedParameter(m.path("function_call"), "function_call is not supported: use 'tool_calls'.");
        }
        List<Map<String, Object>> toolCalls = List.of();
        if (nonEmpty(m.get("tool_calls"))) {
            if (!role.equals("assistant")) {
                throw ApiException.invalidValue(m.path("tool_calls"), "Only assistant messages can have 'tool_calls'.");
            }
            toolCalls = toolCalls(m.array("tool_calls"), m.path("tool_calls"));
        }
        String toolCallId = null;
        if (role.equals("tool")) {
            toolCallId = m.string("tool_call_id");
            if (toolCallId == null) {
                throw ApiException.missing(m.path("tool_call_id"));
            }
        }
        JsonNode content = m.get("content");
        if (content == null) {
            if (role.equals("assistant")) {
                // OpenAI allows an assistant turn without content (e.g. one that only calls tools).
                return new ChatMessage(role, "", toolCalls, null, null);
            }
            throw ApiException.missing(m.path("content"));
        }
        return new ChatMessage(role, Fields.checkUnicode(text(content, m.path("content")), m.path("content")), toolCalls,
                toolCallId, role.equals("tool") ? m.string("name") : null);
    }

    private static List<Map<String, Object>> toolCalls(ArrayNode calls, String param) {
        var out = new ArrayList<Map<String, Object>>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            String at = param + "[" + i + "]";
            if (!(calls.get(i) instanceof ObjectNode call)) {
                throw ApiException.invalidType(at, "an object", calls.get(i));
            }
            Fields c = new Fields(call, at + ".");
            ObjectNode function = c.object("function");
            if (function == null) {
                throw ApiException.missing(c.path("function"));
            }
            Fields fn = new Fields(function, c.path("function") + ".");
            String name = fn.string("name");
            if (name == null) {
                throw ApiException.missing(fn.path("name"));
            }
            String arguments = fn.string("arguments");
            Object args = arguments == null ? new LinkedHashMap<String, Object>() : arguments;
            if (arguments != null) {
                try {
                    JsonNode parsed = JSON.readTree(arguments);
                    if (parsed != null && parsed.isObject()) {
                        args = JSON.convertValue(parsed, Map.class);
                    }
                } catch (Exception notJson) {
                    // kept as the string the client sent
                }
            }
            var f = new LinkedHashMap<String, Object>();
            f.put("name", name);
            f.put("arguments", args);
            var map = new LinkedHashMap<String, Object>();
            String id = c.string("id");
            if (id != null) {
                map.put("id", id);
            }
            map.put("type", "function");
            map.put("function", f);
            out.add(map);
        }
        return out;
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

package dev.ovserve.tokenizer.chat;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a conversation as a chat template sees it: {@code {"role": ..., "content": ...}},
 * plus, as transformers passes them, an assistant's {@code tool_calls} (each
 * {@code {"id", "type": "function", "function": {"name", "arguments"}}}, arguments a parsed JSON
 * object when they are one) and a tool result's {@code tool_call_id} and {@code name}.
 *
 * @param toolCalls empty unless an assistant called tools
 * @param toolCallId null unless role is "tool"
 * @param name null unless given (a tool result's function name)
 */
public record ChatMessage(String role, String content, List<Map<String, Object>> toolCalls, String toolCallId, String name) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        toolCalls = List.copyOf(toolCalls);
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null, null);
    }

    /** The message as the template's {@code messages[i]}. */
    Map<String, Object> toTemplateMap() {
        var map = new java.util.LinkedHashMap<String, Object>(6);
        map.put("role", role);
        map.put("content", content);
        if (!toolCalls.isEmpty()) {
            map.put("tool_calls", toolCalls);
        }
        if (toolCallId != null) {
            map.put("tool_call_id", toolCallId);
        }
        if (name != null) {
            map.put("name", name);
        }
        return map;
    }
}

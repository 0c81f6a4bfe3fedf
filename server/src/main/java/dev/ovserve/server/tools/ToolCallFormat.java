package dev.ovserve.server.tools;

import dev.ovserve.server.api.ToolCall;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a model family writes tool calls in free text, for {@code tool_choice: "auto"}; the names
 * are vLLM's {@code --tool-call-parser} names.
 * <ul>
 *   <li>{@code hermes} (Hermes, Qwen 2.5/3): {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>}, any number;
 *   <li>{@code llama3_json} (Llama 3.1+): the whole output is {@code {"name": ..., "parameters": {...}}}
 *       (optionally after {@code <|python_tag|>}, several separated by {@code ;});
 *   <li>{@code mistral}: {@code [TOOL_CALLS]} then a JSON array of {@code {"name", "arguments"}}, or
 *       the newer {@code [TOOL_CALLS]name[ARGS]{...}}.
 * </ul>
 * Text that does not parse as calls stays content: a malformed call is shown, not lost.
 */
public enum ToolCallFormat {
    HERMES("hermes", "<tool_call>"),
    LLAMA3_JSON("llama3_json", "<|python_tag|>"),
    MISTRAL("mistral", "[TOOL_CALLS]");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HERMES_CALL = Pattern.compile("<tool_call>\\s*(.*?)\\s*(?:</tool_call>|$)", Pattern.DOTALL);

    private final String wireName;
    private final String marker;

    ToolCallFormat(String wireName, String marker) {
        this.wireName = wireName;
        this.marker = marker;
    }

    public String wireName() {
        return wireName;
    }

    /** The text that starts a call (for llama3_json, a leading '{' starts one too). */
    public String marker() {
        return marker;
    }

    /**
     * A character that starts a call when it opens the output: '{' for llama3_json (calls are bare
     * JSON), '[' for mistral (its [TOOL_CALLS] marker is a special token that decoding drops); 0 for none.
     */
    char leadingCallStart() {
        return switch (this) {
            case LLAMA3_JSON -> '{';
            case MISTRAL -> '[';
            case HERMES -> 0;
        };
    }

    /** By vLLM's name; a clear error listing the names otherwise. */
    public static ToolCallFormat named(String name) {
        for (ToolCallFormat f : values()) {
            if (f.wireName.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown tool-call parser '" + name + "'; known: hermes, llama3_json, mistral");
    }

    /** The family a chat template writes calls in; hermes when the template does not tell. */
    public static ToolCallFormat detect(String templateSource) {
        if (templateSource.contains("[TOOL_CALLS]")) {
            return MISTRAL;
        }
        if (templateSource.contains("<tool_call>")) {
            return HERMES;
        }
        if (templateSource.contains("<|python_tag|>") || (templateSource.contains("<|start_header_id|>")
                && templateSource.contains("parameters"))) {
            return LLAMA3_JSON;
        }
        return HERMES;
    }

    /** Splits a finished output into content and calls. */
    public ParsedOutput parse(String text) {
        try {
            return switch (this) {
                case HERMES -> hermes(text);
                case LLAMA3_JSON -> llama(text);
                case MISTRAL -> mistral(text);
            };
        } catch (IOException | RuntimeException notCalls) {
            return ParsedOutput.text(text);
        }
    }

    private static ParsedOutput hermes(String text) throws IOException {
        int start = text.indexOf("<tool_call>");
        if (start < 0) {
            return ParsedOutput.text(text);
        }
        List<ToolCall> calls = new ArrayList<>();
        Matcher m = HERMES_CALL.matcher(text);
        int from = start;
        while (from < text.length() && m.find(from)) {
            calls.add(call(JSON.readTree(m.group(1)), "arguments"));
            from = m.end();
        }
        String before = text.substring(0, start);
        return new ParsedOutput(before.isBlank() ? null : before, calls);
    }

    private static ParsedOutput llama(String text) throws IOException {
        String body = text.strip();
        if (body.startsWith("<|python_tag|>")) {
            body = body.substring("<|python_tag|>".length()).strip();
        }
        if (!body.startsWith("{")) {
            return ParsedOutput.text(text);
        }
        List<ToolCall> calls = new ArrayList<>();
        for (String part : body.split("\\}\\s*;\\s*\\{", -1).length > 1 ? splitCalls(body) : List.of(body)) {
            calls.add(call(JSON.readTree(part), "parameters"));
        }
        return new ParsedOutput(null, calls);
    }

    /** "{...}; {...}" → each object, found by parsing rather than by splitting inside strings. */
    private static List<String> splitCalls(String body) throws IOException {
        List<String> parts = new ArrayList<>();
        try (JsonParser p = JSON.createParser(body.replaceAll("\\}\\s*;\\s*\\{", "} {"))) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
                parts.add(JSON.readTree(p).toString());
            }
        }
        return parts;
    }

    private static ParsedOutput mistral(String text) throws IOException {
        int start = text.indexOf("[TOOL_CALLS]");
        if (start < 0 && !text.strip().startsWith("[")) {
            return ParsedOutput.text(text);
        }
        // Without the marker (a special token, dropped when decoding) the output itself is the call array.
        String body = (start < 0 ? text : text.substring(start + "[TOOL_CALLS]".length())).strip();
        start = Math.max(start, 0);
        List<ToolCall> calls = new ArrayList<>();
        if (body.startsWith("[")) {
            for (JsonNode c : JSON.readTree(body)) {
                calls.add(call(c, "arguments"));
            }
        } else {
            for (String piece : body.split("\\[TOOL_CALLS\\]")) {
                int args = piece.indexOf("[ARGS]");
                if (args < 0) {
                    throw new IOException("no [ARGS]");
                }
                JsonNode arguments = JSON.readTree(piece.substring(args + "[ARGS]".length()));
                calls.add(new ToolCall(CallIds.next(), piece.substring(0, args).strip(), arguments.toString()));
            }
        }
        String before = text.substring(0, start);
        return new ParsedOutput(before.isBlank() ? null : before, calls);
    }

    /** {"name": ..., "arguments"/"parameters": {...} or its text}. */
    static ToolCall call(JsonNode node, String argumentsField) throws IOException {
        if (node == null || !node.path("name").isTextual()) {
            throw new IOException("not a call");
        }
        JsonNode args = node.has(argumentsField) ? node.get(argumentsField)
                : node.has("arguments") ? node.get("arguments") : node.get("parameters");
        String arguments = args == null || args.isNull() ? "{}" : args.isTextual() ? args.textValue() : args.toString();
        return new ToolCall(CallIds.next(), node.get("name").textValue(), arguments);
    }
}

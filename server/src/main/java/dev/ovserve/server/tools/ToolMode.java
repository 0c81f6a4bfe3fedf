package dev.ovserve.server.tools;

import dev.ovserve.server.api.ToolCall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.server.api.OutputConstraint;
import dev.ovserve.server.api.ToolChoice;
import dev.ovserve.server.api.ToolDefinition;
import dev.ovserve.server.api.ToolRequest;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How one chat request's output becomes tool calls.
 * <ul>
 *   <li>{@code auto}: free text, parsed with the model family's {@link ToolCallFormat};
 *   <li>a named function: decoding is constrained to that function's {@code parameters} schema,
 *       and the output is the call's arguments;
 *   <li>{@code required}: decoding is constrained to a JSON array of
 *       {@code {"name": <one of the tools>, "parameters": <its schema>}} (one item at most without
 *       {@code parallel_tool_calls}), each item a call.
 * </ul>
 * Forced calls are plain JSON, not the family's own syntax (as vLLM does): any model, even one
 * with random weights, then produces calls that parse and validate, and the chat template
 * renders them in the family's syntax when they come back in the history.
 */
public final class ToolMode {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ToolRequest request;
    private final ToolCallFormat format;

    private ToolMode(ToolRequest request, ToolCallFormat format) {
        this.request = request;
        this.format = format;
    }

    /** Null when the request does not call tools (no tools, or tool_choice "none"). */
    public static ToolMode of(ToolRequest request, ToolCallFormat format) {
        return request.callsTools() ? new ToolMode(request, format) : null;
    }

    /** The constraint forced calls decode under; null for "auto". */
    public OutputConstraint constraint() {
        return switch (request.choice()) {
            case ToolChoice.Named n -> OutputConstraint.jsonSchema(request.tool(n.name()).parameters().toString(),
                    "tools[" + request.tools().indexOf(request.tool(n.name())) + "].function.parameters");
            case ToolChoice.Required r -> OutputConstraint.jsonSchema(requiredSchema().toString(), "tools");
            default -> null;
        };
    }

    /**
     * For "auto": the schema a call is held to once the model has written its family's marker
     * (hermes {"name", "arguments"}, llama3_json {"name", "parameters"}, mistral an array of
     * {"name", "arguments"}); null otherwise.
     */
    public OutputConstraint autoCallConstraint() {
        if (!(request.choice() instanceof ToolChoice.Auto)) {
            return null;
        }
        ObjectNode call = callSchema(format == ToolCallFormat.LLAMA3_JSON ? "parameters" : "arguments");
        if (format == ToolCallFormat.MISTRAL) {
            ObjectNode array = JSON.createObjectNode().put("type", "array").put("minItems", 1);
            if (!request.parallel()) {
                array.put("maxItems", 1);
            }
            array.set("items", call);
            call = array;
        }
        return OutputConstraint.jsonSchema(call.toString(), "tools");
    }

    /** For "auto": free text until the marker, then {@code call}; see {@link TriggeredConstraint}. */
    public TokenConstraint lazy(TokenConstraint call, Set<Integer> markerIds, byte[][] tokenBytes) {
        return new TriggeredConstraint(call, markerIds, format.marker().getBytes(StandardCharsets.UTF_8), tokenBytes,
                request.parallel());
    }

    private ObjectNode callSchema(String argumentsKey) {
        ObjectNode schema = JSON.createObjectNode();
        ArrayNode anyOf = schema.putArray("anyOf");
        for (ToolDefinition t : request.tools()) {
            ObjectNode item = anyOf.addObject().put("type", "object");
            ObjectNode props = item.putObject("properties");
            props.putObject("name").put("const", t.name());
            props.set(argumentsKey, t.parameters());
            item.putArray("required").add("name").add(argumentsKey);
            item.put("additionalProperties", false);
        }
        return schema;
    }

    ObjectNode requiredSchema() {
        ObjectNode schema = JSON.createObjectNode().put("type", "array").put("minItems", 1);
        if (!request.parallel()) {
            schema.put("maxItems", 1);
        }
        schema.set("items", callSchema("parameters"));
        return schema;
    }

    /** Splits a finished output into content and calls. */
    public ParsedOutput parse(String text) {
        return switch (request.choice()) {
            case ToolChoice.Named n -> named(n.name(), text);
            case ToolChoice.Required r -> required(text);
            default -> format.parse(text);
        };
    }

    private static ParsedOutput named(String name, String text) {
        try {
            JsonNode args = JSON.readTree(text);
            if (args != null && args.isObject()) {
                return new ParsedOutput(null, List.of(new ToolCall(CallIds.next(), name, text.strip())));
            }
        } catch (Exception incomplete) {
            // cut short (max_tokens): shown as text
        }
        return ParsedOutput.text(text);
    }

    private static ParsedOutput required(String text) {
        try {
            JsonNode array = JSON.readTree(text);
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode c : array) {
                // the parameters value itself, as the stream sends it (never re-read as JSON text)
                calls.add(new ToolCall(CallIds.next(), c.get("name").textValue(), c.get("parameters").toString()));
            }
            if (!calls.isEmpty()) {
                return new ParsedOutput(null, calls);
            }
        } catch (Exception incomplete) {
            // cut short (max_tokens): shown as text
        }
        return ParsedOutput.text(text);
    }

    /** A fresh per-choice streaming parser. */
    public ToolCallStream stream() {
        return switch (request.choice()) {
            case ToolChoice.Named n -> new ToolCallStream.Named(n.name());
            case ToolChoice.Required r -> new ToolCallStream.CallArray();
            default -> new ToolCallStream.Auto(format);
        };
    }
}

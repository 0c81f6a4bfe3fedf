package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A chat request's {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}, checked.
 * Without tools, {@code tool_choice} may only be "none" or "auto" (both mean text); with tools it
 * defaults to "auto", as OpenAI's does. The older {@code functions}/{@code function_call} are
 * refused by name (the server answers in the newer shape only).
 */
public record ToolRequest(List<ToolDefinition> tools, ToolChoice choice, boolean parallel) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** OpenAI's rule for function names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    public static final ToolRequest NONE = new ToolRequest(List.of(), new ToolChoice.None(), true);

    public ToolRequest {
        tools = List.copyOf(tools);
    }

    /** Whether output is parsed for tool calls ("auto", "required" or a named function). */
    public boolean callsTools() {
        return !tools.isEmpty() && !(choice instanceof ToolChoice.None);
    }

    /** Whether decoding is constrained to calls ("required" or a named function). */
    public boolean forced() {
        return choice instanceof ToolChoice.Required || choice instanceof ToolChoice.Named;
    }

    public ToolDefinition tool(String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    /** The tools as the chat template takes them; null when there are none. */
    public List<Map<String, Object>> templateTools() {
        if (tools.isEmpty()) {
            return null;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (ToolDefinition t : tools) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSON.convertValue(t.original(), Map.class);
            out.add(map);
        }
        return out;
    }

    static ToolRequest parse(Fields f) {
        JsonNode functions = f.get("functions");
        JsonNode functionCall = f.get("function_call");
        if (functions != null && !(functions.isArray() && functions.isEmpty())) {
            throw ApiException.unsupportedParameter("functions", "functions is not supported by this server; use 'tools'.");
        }
        if (functionCall != null && !(functionCall.isTextual()
                && (functionCall.textValue().equals("none") || functionCall.textValue().equals("auto")))) {
            throw ApiException.unsupportedParameter("function_call", "function_call is not supported by this server; use 'tool_choice'.");
        }
        List<ToolDefinition> tools = tools(f.array("tools"));
        ToolChoice choice = choice(f.get("tool_choice"), tools);
        boolean parallel = f.bool("parallel_tool_calls", true);
        return new ToolRequest(tools, choice, parallel);
    }

    private static List<ToolDefinition> tools(ArrayNode array) {
        if (array == null) {
            return List.of();
        }
        List<ToolDefinition> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String at = "tools[" + i + "]";
            if (!(array.get(i) instanceof ObjectNode tool)) {
                throw ApiException.invalidType(at, "an object", array.get(i));
            }
            Fields t = new Fields(tool, at + ".");
            String type = t.string("type");
            if (!"function".equals(type)) {
                throw type == null ? ApiException.missing(t.path("type")) : ApiException.unsupportedValue(t.path("type"),
                        "Tools of type '" + type + "' are not supported; only 'function' is.");
            }
            ObjectNode function = t.object("function");
            if (function == null) {
                throw ApiException.missing(t.path("function"));
            }
            Fields fn = new Fields(function, at + ".function.");
            String name = fn.string("name");
            if (name == null) {
                throw ApiException.missing(fn.path("name"));
            }
            if (!NAME.matcher(name).matches()) {
                throw ApiException.invalidValue(fn.path("name"), "Invalid value for '" + fn.path("name") + "': '" + name
                        + "'. Function names are 1 to 64 of a-z, A-Z, 0-9, '_' and '-'.");
            }
            if (!names.add(name)) {
                throw ApiException.invalidValue(fn.path("name"), "Invalid value for '" + fn.path("name") + "': the function '"
                        + name + "' is defined twice.");
            }
            ObjectNode parameters = fn.object("parameters");
            if (parameters == null) {
                parameters = JSON.createObjectNode().put("type", "object");
                parameters.putObject("properties");
            }
            fn.bool("strict"); // type-checked; forced calls always follow the schema
            out.add(new ToolDefinition(name, fn.string("description"), parameters, tool));
        }
        return out;
    }

    private static ToolChoice choice(JsonNode node, List<ToolDefinition> tools) {
        if (node == null) {
            return tools.isEmpty() ? new ToolChoice.None() : new ToolChoice.Auto();
        }
        if (node.isTextual()) {
            ToolChoice c = switch (node.textValue()) {
                case "none" -> new ToolChoice.None();
                case "auto" -> new ToolChoice.Auto();
                case "required" -> new ToolChoice.Required();
                default -> throw ApiException.invalidValue("tool_choice", "Invalid value for 'tool_choice': '" + node.textValue()
                        + "'. Supported values are 'none', 'auto', 'required' and {\"type\": \"function\", \"function\": {\"name\": ...}}.");
            };
            if (c instanceof ToolChoice.Required && tools.isEmpty()) {
                throw ApiException.invalidRequest("tool_choice", "tool_choice 'required' needs at least one tool in 'tools'.");
            }
            return tools.isEmpty() ? new ToolChoice.None() : c;
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.invalidType("tool_choice", "a string or an object", node);
        }
        Fields c = new Fields(object, "tool_choice.");
        if (!"function".equals(c.string("type"))) {
            throw ApiException.invalidValue("tool_choice.type", "Invalid value for 'tool_choice.type': only 'function' is supported.");
        }
        ObjectNode function = c.object("function");
        String name = function == null ? null : new Fields(function, "tool_choice.function.").string("name");
        if (name == null) {
            throw ApiException.missing("tool_choice.function.name");
        }
        if (tools.stream().noneMatch(t -> t.name().equals(name))) {
            throw ApiException.invalidValue("tool_choice.function.name", "Invalid value for 'tool_choice.function.name': '" + name
                    + "' is not one of the functions in 'tools'.");
        }
        return new ToolChoice.Named(name);
    }
}

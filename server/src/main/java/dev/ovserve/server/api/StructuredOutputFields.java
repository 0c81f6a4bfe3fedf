package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the structured-output fields every client family sends, on both endpoints, into at most
 * one {@link OutputConstraint}:
 * <ul>
 *   <li>OpenAI {@code response_format}: {@code text} (none), {@code json_object},
 *       {@code json_schema} ({@code json_schema.schema}; {@code strict} is accepted, the schema
 *       is always enforced);
 *   <li>vLLM {@code structured_outputs}: {@code json} (a schema object or its text),
 *       {@code regex}, {@code choice}, {@code grammar}, {@code json_object}; and its older
 *       {@code guided_json}, {@code guided_regex}, {@code guided_choice}, {@code guided_grammar};
 *   <li>llama.cpp {@code json_schema} (a schema object) and {@code grammar} (GBNF).
 * </ul>
 * Grammars are GBNF, as llama.cpp takes them (vLLM's Lark/EBNF is not accepted). Two of these
 * in one request are a 400 naming both; a field that would change the output and is not
 * implemented (e.g. {@code structured_outputs.structural_tag}) is a 400 naming it.
 */
public final class StructuredOutputFields {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private StructuredOutputFields() {}

    /** Null when the request asks for free text. */
    public static OutputConstraint parse(ObjectNode root) {
        return parse(Fields.of(root));
    }

    static OutputConstraint parse(Fields f) {
        List<OutputConstraint> found = new ArrayList<>();
        OutputConstraint format = responseFormat(f);
        if (format != null) {
            found.add(format);
        }
        ObjectNode so = f.object("structured_outputs");
        if (so != null) {
            found.addAll(vllm(new Fields(so, "structured_outputs."), ""));
        }
        found.addAll(vllm(f, "guided_"));
        if (f.has("json_schema")) {
            found.add(schema(f.get("json_schema"), "json_schema"));
        }
        if (f.has("grammar")) {
            found.add(OutputConstraint.grammar(nonEmpty(f.string("grammar"), "grammar"), "grammar"));
        }
        if (found.size() > 1) {
            throw ApiException.invalidRequest(found.get(1).param(), "Only one structured-output constraint can be used at a time, "
                    + "but the request gives both '" + found.get(0).param() + "' and '" + found.get(1).param() + "'.");
        }
        return found.isEmpty() ? null : found.getFirst();
    }

    private static OutputConstraint responseFormat(Fields f) {
        ObjectNode format = f.object("response_format");
        if (format == null) {
            return null;
        }
        Fields rf = new Fields(format, "response_format.");
        String type = rf.string("type");
        if (type == null) {
            throw ApiException.missing("response_format.type");
        }
        return switch (type) {
            case "text" -> null;
            case "json_object" -> OutputConstraint.jsonObject("response_format");
            case "json_schema" -> {
                ObjectNode js = rf.object("json_schema");
                if (js == null) {
                    throw ApiException.missing("response_format.json_schema");
                }
                Fields jf = new Fields(js, "response_format.json_schema.");
                jf.bool("strict"); // type-checked; the schema is enforced either way
                JsonNode schema = jf.get("schema");
                yield schema == null
                        ? OutputConstraint.jsonObject("response_format.json_schema") // OpenAI allows a schema-less json_schema
                        : schema(schema, "response_format.json_schema.schema");
            }
            default -> throw ApiException.invalidValue("response_format.type", "Invalid value for 'response_format.type': '"
                    + type + "'. Supported values are 'text', 'json_object' and 'json_schema'.");
        };
    }

    /** vLLM's fields, under {@code structured_outputs} (prefix "") or top-level {@code guided_*}. */
    private static List<OutputConstraint> vllm(Fields f, String prefix) {
        List<OutputConstraint> out = new ArrayList<>();
        if (f.has(prefix + "json")) {
            out.add(schema(f.get(prefix + "json"), f.path(prefix + "json")));
        }
        if (f.has(prefix + "regex")) {
            out.add(OutputConstraint.regex(nonEmpty(f.string(prefix + "regex"), f.path(prefix + "regex")), f.path(prefix + "regex")));
        }
        if (f.has(prefix + "choice")) {
            out.add(choice(f.array(prefix + "choice"), f.path(prefix + "choice")));
        }
        if (f.has(prefix + "grammar")) {
            out.add(OutputConstraint.grammar(nonEmpty(f.string(prefix + "grammar"), f.path(prefix + "grammar")),
                    f.path(prefix + "grammar")));
        }
        if (prefix.isEmpty()) {
            if (f.bool("json_object", false)) {
                out.add(OutputConstraint.jsonObject(f.path("json_object")));
            }
            for (String unsupported : List.of("structural_tag", "whitespace_pattern")) {
                if (f.has(unsupported)) {
                    throw ApiException.unsupportedParameter(f.path(unsupported), f.path(unsupported) + " is not supported by this server.");
                }
            }
        } else if (f.has("guided_whitespace_pattern")) {
            throw ApiException.unsupportedParameter("guided_whitespace_pattern", "guided_whitespace_pattern is not supported by this server.");
        }
        return out;
    }

    /** A schema given as a JSON object (or boolean), or as its text. */
    private static OutputConstraint schema(JsonNode schema, String param) {
        if (schema.isTextual()) {
            try {
                schema = JSON.readTree(schema.textValue());
            } catch (Exception e) {
                throw ApiException.invalidValue(param, "Invalid value for '" + param + "': the schema text is not JSON ("
                        + e.getMessage().lines().findFirst().orElse("") + ").");
            }
        }
        if (!(schema.isObject() || schema.isBoolean())) {
            throw ApiException.invalidType(param, "a JSON schema object", schema);
        }
        return OutputConstraint.jsonSchema(schema.toString(), param);
    }

    private static OutputConstraint choice(ArrayNode choices, String param) {
        if (choices.isEmpty()) {
            throw ApiException.invalidValue(param, "Invalid value for '" + param + "': the list of choices is empty.");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            if (!choices.get(i).isTextual()) {
                throw ApiException.invalidType(param + "[" + i + "]", "a string", choices.get(i));
            }
            out.add(Fields.checkUnicode(choices.get(i).textValue(), param + "[" + i + "]"));
        }
        return OutputConstraint.choice(out, param);
    }

    private static String nonEmpty(String s, String param) {
        if (s.isEmpty()) {
            throw ApiException.invalidValue(param, "Invalid value for '" + param + "': it is empty.");
        }
        return s;
    }
}

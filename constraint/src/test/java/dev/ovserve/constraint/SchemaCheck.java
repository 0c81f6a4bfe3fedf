package dev.ovserve.constraint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.util.Set;

/** The independent judge: networknt's JSON Schema validator, with format assertions on. */
final class SchemaCheck {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final JsonSchema schema;

    SchemaCheck(JsonNode schemaNode) {
        SpecVersion.VersionFlag version = schemaNode.isObject()
                ? SpecVersionDetector.detectOptionalVersion(schemaNode, false).orElse(schemaNode.has("$defs") ? SpecVersion.VersionFlag.V202012 : SpecVersion.VersionFlag.V7)
                : SpecVersion.VersionFlag.V7;
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        JsonNode node = schemaNode;
        if (version == SpecVersion.VersionFlag.V202012 || version == SpecVersion.VersionFlag.V201909) {
            node = withoutDraft4Ids(schemaNode.deepCopy()); // "id" means nothing there, but trips the validator's loader
        }
        schema = JsonSchemaFactory.getInstance(version).getSchema(node, config);
    }

    private static JsonNode withoutDraft4Ids(JsonNode n) {
        if (n instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            if (o.path("id").isTextual()) {
                o.remove("id");
            }
            o.forEach(SchemaCheck::withoutDraft4Ids);
        } else if (n.isArray()) {
            n.forEach(SchemaCheck::withoutDraft4Ids);
        }
        return n;
    }

    /** Null if {@code text} is JSON valid against the schema, else why not. */
    String problems(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (Exception e) {
            return "not JSON: " + e.getMessage();
        }
        if (node == null) {
            return "empty";
        }
        Set<ValidationMessage> errors = schema.validate(node);
        return errors.isEmpty() ? null : errors.toString();
    }
}

package dev.ovserve.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} bodies. */
public final class ModelList {
    public static final String OWNED_BY = "ovserve";

    /** A served model: its name as clients pass it in {@code model}, and when it was loaded (unix seconds). */
    public record ModelCard(String id, long created) {}

    private ModelList() {}

    /** {@code {"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}}. */
    public static byte[] toJson(List<ModelCard> models) {
        return JsonOutput.write(128 * (models.size() + 1), g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (ModelCard m : models) {
                model(g, m);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** One model object, the body of {@code GET /v1/models/{id}}. */
    public static byte[] toJson(ModelCard model) {
        return JsonOutput.write(128, g -> model(g, model));
    }

    private static void model(JsonGenerator g, ModelCard m) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", m.id());
        g.writeStringField("object", "model");
        g.writeNumberField("created", m.created());
        g.writeStringField("owned_by", OWNED_BY);
        g.writeEndObject();
    }
}

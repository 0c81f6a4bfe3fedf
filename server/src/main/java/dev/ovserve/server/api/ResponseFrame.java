package dev.ovserve.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import java.io.IOException;
import java.util.Objects;

/**
 * What every response and chunk of one request repeats ({@code id}, {@code object},
 * {@code created}, {@code model}), encoded once, and the pieces both endpoints share.
 */
final class ResponseFrame {
    private final String id;
    private final long created;
    private final String model;
    private final SerializedString idJson;
    private final SerializedString modelJson;

    ResponseFrame(String id, long created, String model) {
        this.id = Objects.requireNonNull(id, "id");
        this.created = created;
        this.model = Objects.requireNonNull(model, "model");
        this.idJson = new SerializedString(JsonOutput.wellFormed(id));
        this.modelJson = new SerializedString(JsonOutput.wellFormed(model));
    }

    String id() {
        return id;
    }

    long created() {
        return created;
    }

    String model() {
        return model;
    }

    /** Opens the object and writes the common fields; the caller writes the rest and closes it. */
    void start(JsonGenerator g, SerializedString object) throws IOException {
        g.writeStartObject();
        g.writeFieldName("id");
        g.writeString(idJson);
        g.writeFieldName("object");
        g.writeString(object);
        g.writeNumberField("created", created);
        g.writeFieldName("model");
        g.writeString(modelJson);
    }

    static void finishReason(JsonGenerator g, FinishReason reason) throws IOException {
        if (reason == null) {
            g.writeNullField("finish_reason");
        } else {
            g.writeStringField("finish_reason", reason.wireName());
        }
    }

    static void usage(JsonGenerator g, Usage usage) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", usage.promptTokens());
        g.writeNumberField("completion_tokens", usage.completionTokens());
        g.writeNumberField("total_tokens", usage.totalTokens());
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", usage.cachedPromptTokens());
        g.writeEndObject();
        g.writeEndObject();
    }

    static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}

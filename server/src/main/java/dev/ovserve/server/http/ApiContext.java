package dev.ovserve.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.server.api.PromptTokenCache;
import dev.ovserve.tokenizer.HfTokenizer;
import dev.ovserve.tokenizer.chat.ChatTemplate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection's handler shares: the engine, the tokenizer and its caches, the served
 * model's identity, limits, auth, metrics, and the server's lifecycle flags.
 */
public record ApiContext(Engine engine, HfTokenizer tokenizer, PromptTokenCache promptCache, ChatTemplate chatTemplate,
                         String servedModelName, List<String> devices, long createdEpochSeconds, Limits limits, String apiKey,
                         ServerMetrics metrics, AtomicBoolean ready, AtomicBoolean draining, AtomicInteger inFlight) {
    private static final ObjectMapper JSON = new ObjectMapper();

    String modelList() {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        ObjectNode model = root.putArray("data").addObject();
        model.put("id", servedModelName);
        model.put("object", "model");
        model.put("created", createdEpochSeconds);
        model.put("owned_by", "ovserve");
        model.put("max_model_len", engine.config().maxModelLen());
        return root.toString();
    }

    String healthJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", "ok");
        root.put("model", servedModelName);
        root.putPOJO("devices", devices);
        return root.toString();
    }
}

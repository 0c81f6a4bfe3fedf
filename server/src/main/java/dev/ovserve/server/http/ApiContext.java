package dev.ovserve.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.scheduler.engine.EngineStats;
import dev.ovserve.server.serving.DeviceLoad;
import dev.ovserve.server.api.PromptTokenCache;
import dev.ovserve.tokenizer.HfTokenizer;
import dev.ovserve.tokenizer.chat.ChatTemplate;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection's handler shares: the engine, the tokenizer and its caches, the served
 * model's identity, limits, auth, metrics, the server's lifecycle flags, the web playground
 * (null when it is switched off), and who shares prefix-cache blocks.
 */
public record ApiContext(Engine engine, HfTokenizer tokenizer, PromptTokenCache promptCache, ChatTemplate chatTemplate,
                         String servedModelName, Supplier<List<DeviceLoad>> loads, long createdEpochSeconds, Limits limits, String apiKey,
                         ServerMetrics metrics, AtomicBoolean ready, AtomicBoolean draining, AtomicInteger inFlight,
                         Admission admission, Executor workers, PlaygroundFiles playground, PrefixCacheScope prefixCacheScope,
                         StructuredOutput structured) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What /health reports: only READY answers 200; /health/live answers 503 only when FAILED. */
    public enum Health {
        LOADING, READY, DRAINING, FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Draining (after SIGTERM) wins, then a dead engine, then loading. */
    Health health() {
        if (draining.get()) {
            return Health.DRAINING;
        }
        if (!engine.isRunning()) {
            return Health.FAILED;
        }
        return ready.get() ? Health.READY : Health.LOADING;
    }

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

    String healthJson(Health state) {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", state.label());
        root.put("model", servedModelName);
        EngineStats stats = engine.stats();
        root.put("device", stats.servingDevice());
        var devices = root.putArray("devices");
        List<DeviceLoad> loaded = loads.get();
        for (EngineStats.PoolStats pool : stats.pools()) {
            ObjectNode d = devices.addObject();
            d.put("device", pool.device());
            d.put("state", pool.state().name().toLowerCase(java.util.Locale.ROOT));
            d.put("running", pool.running());
            d.put("waiting", pool.waiting());
            d.put("kv_blocks_used", pool.usedBlocks());
            d.put("kv_blocks_total", pool.totalBlocks());
            d.put("generated_tokens", pool.generatedTokens());
            loaded.stream().filter(l -> l.device().equals(pool.device())).findFirst().ifPresent(l -> {
                ObjectNode t = d.putObject("load_seconds");
                t.put("read", l.times().readSeconds());
                t.put("transform", l.times().transformSeconds());
                t.put(l.times().fromCache() ? "cache_import" : "compile", l.times().compileSeconds());
                t.put("warmup", l.times().warmupSeconds());
            });
        }
        return root.toString();
    }
}

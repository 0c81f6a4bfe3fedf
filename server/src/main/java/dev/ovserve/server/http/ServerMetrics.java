package dev.ovserve.server.http;

import dev.ovserve.scheduler.engine.Engine;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import dev.ovserve.server.serving.DeviceLoad;

/** The server's Prometheus metrics, in their own registry, rendered in the text format. */
public final class ServerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter requests = Counter.builder().name("ovserve_requests_total")
            .help("HTTP requests by endpoint and status").labelNames("endpoint", "status").register(registry);
    final Histogram timeToFirstToken = Histogram.builder().name("ovserve_time_to_first_token_seconds")
            .help("Request arrival to first generated token").classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);
    final Histogram interTokenLatency = Histogram.builder().name("ovserve_inter_token_latency_seconds")
            .help("Gap between consecutive tokens of one completion").classicUpperBounds(0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28)
            .register(registry);
    final Histogram requestLatency = Histogram.builder().name("ovserve_e2e_request_latency_seconds")
            .help("Request arrival to its last byte").classicUpperBounds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
            .register(registry);
    final Counter promptTokens = Counter.builder().name("ovserve_prompt_tokens_total").help("Prompt tokens of completed requests")
            .register(registry);
    final Counter generationTokens = Counter.builder().name("ovserve_generation_tokens_total").help("Generated tokens")
            .register(registry);

    public ServerMetrics(Engine engine, DoubleSupplier promptCacheHitRate, Supplier<List<DeviceLoad>> loads, String modelName) {
        registerVllmNames(engine, modelName);
        gauge("ovserve_num_requests_running", "Sequences running in the engine", () -> engine.stats().running());
        gauge("ovserve_num_requests_waiting", "Sequences waiting for admission", () -> engine.stats().waiting());
        gauge("ovserve_kv_cache_usage_ratio", "Share of KV blocks in use", () -> engine.stats().kvCacheUsage());
        gauge("ovserve_kv_cache_blocks_total", "KV blocks in the cache", () -> engine.stats().totalBlocks());
        gauge("ovserve_prefix_cache_hit_rate", "Prompt tokens served from the prefix cache / prompt tokens looked up",
                () -> engine.stats().prefixHitRate());
        gauge("ovserve_num_preemptions", "Sequences preempted so far", () -> engine.stats().preemptions());
        gauge("ovserve_prompt_token_cache_hit_rate", "Hit rate of the tokenized-prompt cache", promptCacheHitRate);
        gauge("ovserve_chat_template_cache_hit_rate", "Hit rate of the compiled chat-template cache",
                () -> dev.ovserve.tokenizer.chat.ChatTemplate.cacheStats().hitRate());
        GaugeWithCallback.builder().name("ovserve_serving_device_info").help("1 for the device new requests run on")
                .labelNames("device").callback(cb -> cb.call(1, engine.stats().servingDevice())).register(registry);
        GaugeWithCallback.builder().name("ovserve_kv_cache_blocks_used").help("KV blocks in use, per device pool")
                .labelNames("device", "state").callback(cb -> engine.stats().pools().forEach(
                        p -> cb.call(p.usedBlocks(), p.device(), p.state().name().toLowerCase(Locale.ROOT)))).register(registry);
        GaugeWithCallback.builder().name("ovserve_model_load_seconds")
                .help("Model load time per device and phase: read, transform, compile or cache_import, warmup")
                .labelNames("device", "phase").callback(cb -> {
                    for (DeviceLoad l : loads.get()) {
                        var t = l.times();
                        cb.call(t.readSeconds(), l.device(), "read");
                        cb.call(t.transformSeconds(), l.device(), "transform");
                        cb.call(t.compileSeconds(), l.device(), t.fromCache() ? "cache_import" : "compile");
                        cb.call(t.warmupSeconds(), l.device(), "warmup");
                    }
                }).register(registry);
    }

    /**
     * The same figures under vLLM's names, which the Gateway API Inference Extension's endpoint
     * picker scrapes by default and common dashboards chart (docs/DEPLOY.md has the table).
     */
    private void registerVllmNames(Engine engine, String modelName) {
        vllmGauge("vllm:num_requests_running", "Requests running in the engine", modelName, () -> engine.stats().running());
        vllmGauge("vllm:num_requests_waiting", "Requests waiting to be scheduled", modelName, () -> engine.stats().waiting());
        vllmGauge("vllm:kv_cache_usage_perc", "KV-cache usage: 1 means every block is in use", modelName,
                () -> engine.stats().kvCacheUsage());
        vllmGauge("vllm:gpu_cache_usage_perc", "KV-cache usage under vLLM's older name (read by older endpoint pickers)", modelName,
                () -> engine.stats().kvCacheUsage());
        CounterWithCallback.builder().name("vllm:prefix_cache_queries").help("Prompt tokens looked up in the prefix cache")
                .labelNames("model_name").callback(cb -> cb.call(engine.stats().prefixQueryTokens(), modelName)).register(registry);
        CounterWithCallback.builder().name("vllm:prefix_cache_hits").help("Prompt tokens found in the prefix cache")
                .labelNames("model_name").callback(cb -> cb.call(engine.stats().prefixHitTokens(), modelName)).register(registry);
        CounterWithCallback.builder().name("vllm:num_preemptions").help("Sequences preempted so far")
                .labelNames("model_name").callback(cb -> cb.call(engine.stats().preemptions(), modelName)).register(registry);
        GaugeWithCallback.builder().name("vllm:cache_config_info").help("KV-cache shape, in labels (the picker's prefix scorer reads them)")
                .labelNames("model_name", "block_size", "num_gpu_blocks")
                .callback(cb -> cb.call(1, modelName, Integer.toString(engine.stats().blockSize()),
                        Integer.toString(engine.stats().totalBlocks())))
                .register(registry);
    }

    private void vllmGauge(String name, String help, String modelName, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("model_name")
                .callback(cb -> cb.call(value.getAsDouble(), modelName)).register(registry);
    }

    private void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }


    String scrape() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.ovserve.server.http;

import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.server.api.PromptTokenCache;
import dev.ovserve.server.tools.ToolCallFormat;
import dev.ovserve.tokenizer.HfTokenizer;
import dev.ovserve.tokenizer.TokenBytes;
import dev.ovserve.tokenizer.chat.ChatTemplate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import dev.ovserve.server.serving.DeviceLoad;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The HTTP API over a running engine: what `ovserve serve` starts, and what tests start. */
public final class ServerApp implements AutoCloseable {
    /**
     * Where and how to listen. {@code apiKey} null means no authentication; {@code ui} serves the
     * playground at /; {@code toolCallParser} (vLLM's names: hermes, llama3_json, mistral) null
     * means "as the chat template writes calls".
     */
    public record Settings(String host, int port, String servedModelName, String apiKey, Limits limits, boolean ui,
                           String toolCallParser) {
        public Settings(String host, int port, String servedModelName, String apiKey, Limits limits) {
            this(host, port, servedModelName, apiKey, limits, true, null);
        }

        public Settings(String host, int port, String servedModelName, String apiKey, Limits limits, boolean ui) {
            this(host, port, servedModelName, apiKey, limits, ui, null);
        }
    }

    private final HttpServer http;
    private final HfTokenizer tokenizer;
    private final ApiContext context;

    private ServerApp(HttpServer http, HfTokenizer tokenizer, ApiContext context) {
        this.http = http;
        this.tokenizer = tokenizer;
        this.context = context;
    }

    /** {@code loads} lists the devices loaded so far (more may follow a hand-off), for /health and /metrics. */
    public static ServerApp start(Engine engine, Path modelDir, Supplier<List<DeviceLoad>> loads, Settings settings)
            throws IOException, InterruptedException {
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        try {
            PromptTokenCache cache = new PromptTokenCache();
            ServerMetrics metrics = new ServerMetrics(engine, cache::hitRate, loads);
            ChatTemplate template = ChatTemplate.load(modelDir);
            TokenBytes tokenBytes = TokenBytes.load(modelDir, engine.vocabSize());
            ToolCallFormat toolFormat = settings.toolCallParser() != null ? ToolCallFormat.named(settings.toolCallParser())
                    : ToolCallFormat.detect(template.source());
            Set<Integer> markerIds = new HashSet<>();
            tokenizer.tokenToId(toolFormat.marker()).ifPresent(markerIds::add);
            StructuredOutput structured = new StructuredOutput(Constraints.compiler(tokenBytes, engine.eosTokenIds()), toolFormat,
                    tokenBytes.bytes(), markerIds);
            ApiContext context = new ApiContext(engine, tokenizer, cache, template, settings.servedModelName(),
                    loads, Instant.now().getEpochSecond(), settings.limits(), settings.apiKey(), metrics,
                    new AtomicBoolean(true), new AtomicBoolean(false), new AtomicInteger(),
                    settings.ui() ? PlaygroundFiles.load() : null, structured);
            return new ServerApp(HttpServer.start(settings.host(), settings.port(), context), tokenizer, context);
        } catch (IOException | InterruptedException | RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public int port() {
        return http.port();
    }

    /** Requests being generated right now. */
    public int inFlight() {
        return context.inFlight().get();
    }

    /** Stops accepting, lets running requests finish within {@code graceMillis}, then closes. */
    public void shutdown(long graceMillis) {
        http.shutdown(graceMillis);
        tokenizer.close();
    }

    @Override
    public void close() {
        http.close();
        tokenizer.close();
    }
}

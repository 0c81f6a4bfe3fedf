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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.function.Supplier;
import dev.ovserve.server.serving.DeviceLoad;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The HTTP API over a running engine: what `ovserve serve` starts, and what tests start. */
public final class ServerApp implements AutoCloseable {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ServerApp.class.getName());
    /**
     * Where and how to listen. {@code apiKey} null means no authentication; {@code ui} serves the
     * playground at /; {@code prefixCacheScope} decides which requests share prefix-cache blocks;
     * {@code toolCallParser} (vLLM's names: hermes, llama3_json, mistral) null means "as the chat
     * template writes calls".
     */
    public record Settings(String host, int port, String servedModelName, String apiKey, Limits limits, boolean ui,
                           PrefixCacheScope prefixCacheScope, String toolCallParser) {
        public Settings(String host, int port, String servedModelName, String apiKey, Limits limits, boolean ui,
                        PrefixCacheScope prefixCacheScope) {
            this(host, port, servedModelName, apiKey, limits, ui, prefixCacheScope, null);
        }

        public Settings(String host, int port, String servedModelName, String apiKey, Limits limits, boolean ui,
                        String toolCallParser) {
            this(host, port, servedModelName, apiKey, limits, ui, PrefixCacheScope.GLOBAL, toolCallParser);
        }

        public Settings(String host, int port, String servedModelName, String apiKey, Limits limits, boolean ui) {
            this(host, port, servedModelName, apiKey, limits, ui, PrefixCacheScope.GLOBAL, null);
        }

        public Settings(String host, int port, String servedModelName, String apiKey, Limits limits) {
            this(host, port, servedModelName, apiKey, limits, true);
        }
    }

    private final HttpServer http;
    private final HfTokenizer tokenizer;
    private final ApiContext context;
    private final ExecutorService workers;

    private ServerApp(HttpServer http, HfTokenizer tokenizer, ApiContext context, ExecutorService workers) {
        this.http = http;
        this.tokenizer = tokenizer;
        this.context = context;
        this.workers = workers;
    }

    /** {@code loads} lists the devices loaded so far (more may follow a hand-off), for /health and /metrics. */
    public static ServerApp start(Engine engine, Path modelDir, Supplier<List<DeviceLoad>> loads, Settings settings)
            throws IOException, InterruptedException {
        return start(engine, modelDir, loads, settings, true);
    }

    /**
     * {@code ready} false: /health answers 503 "loading" until {@link #markReady()} (for a caller
     * that listens before its model is fully warm).
     */
    public static ServerApp start(Engine engine, Path modelDir, Supplier<List<DeviceLoad>> loads, Settings settings, boolean ready)
            throws IOException, InterruptedException {
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        Limits limits = settings.limits();
        ExecutorService workers = workerPool(limits);
        try {
            PromptTokenCache cache = new PromptTokenCache();
            ServerMetrics metrics = new ServerMetrics(engine, cache::hitRate, loads, settings.servedModelName());
            Admission admission = new Admission(limits, engine.config().maxModelLen(), longestTokenChars(tokenizer));
            ChatTemplate template = ChatTemplate.load(modelDir);
            template.selfCheck().ifPresent(problem -> LOG.warning("chat template of " + modelDir + ": " + problem));
            TokenBytes tokenBytes = TokenBytes.load(modelDir, engine.vocabSize());
            ToolCallFormat toolFormat = settings.toolCallParser() != null ? ToolCallFormat.named(settings.toolCallParser())
                    : ToolCallFormat.detect(template.source());
            Set<Integer> markerIds = new HashSet<>();
            tokenizer.tokenToId(toolFormat.marker()).ifPresent(markerIds::add);
            StructuredOutput structured = new StructuredOutput(Constraints.compiler(tokenBytes, engine.eosTokenIds()), toolFormat,
                    tokenBytes.bytes(), markerIds);
            ApiContext context = new ApiContext(engine, tokenizer, cache, template, settings.servedModelName(),
                    loads, Instant.now().getEpochSecond(), limits, settings.apiKey(), metrics,
                    new AtomicBoolean(ready), new AtomicBoolean(false), new AtomicInteger(), admission, workers,
                    settings.ui() ? PlaygroundFiles.load() : null, settings.prefixCacheScope(), structured);
            return new ServerApp(HttpServer.start(settings.host(), settings.port(), context), tokenizer, context, workers);
        } catch (IOException | InterruptedException | RuntimeException e) {
            workers.shutdownNow();
            tokenizer.close();
            throw e;
        }
    }

    /** Parsing, chat templates and tokenizing: a fixed pool with a bounded queue (past it, 429). */
    private static ExecutorService workerPool(Limits limits) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(limits.workers(), limits.workers(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.maxQueuedParses()),
                r -> Thread.ofPlatform().name("ovserve-worker-" + n.incrementAndGet()).daemon(true).unstarted(r));
    }

    /** The longest vocabulary entry, in characters: no token covers more of a prompt (see {@link Admission}). */
    static int longestTokenChars(HfTokenizer tokenizer) {
        int longest = 1;
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            longest = Math.max(longest, tokenizer.idToToken(id).map(String::length).orElse(0));
        }
        return longest;
    }

    /** /health answers 200 from now on (unless draining or failed). */
    public void markReady() {
        context.ready().set(true);
    }

    /** What /health reports now. */
    public ApiContext.Health health() {
        return context.health();
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
        workers.shutdownNow();
        tokenizer.close();
    }

    @Override
    public void close() {
        http.close();
        workers.shutdownNow();
        tokenizer.close();
    }
}

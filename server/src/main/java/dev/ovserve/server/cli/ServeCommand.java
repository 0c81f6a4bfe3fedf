package dev.ovserve.server.cli;

import dev.ovserve.server.http.Limits;
import dev.ovserve.server.http.PrefixCacheScope;
import dev.ovserve.server.http.LoadingResponder;
import dev.ovserve.server.http.ServerApp;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", description = "Serve the OpenAI-compatible API (/v1/completions, /v1/chat/completions) over HTTP.")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    EngineOptions engine;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Default: ${DEFAULT-VALUE}") String host;
    @Option(names = "--port", defaultValue = "8000", description = "0 picks a free port. Default: ${DEFAULT-VALUE}") int port;
    @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' on /v1/* (or set OVSERVE_API_KEY).")
    String apiKey;
    @Option(names = "--served-model-name", description = "The model id clients use (default: the model folder's name).")
    String servedModelName;
    @Option(names = "--tool-call-parser", description = "How the model writes tool calls for tool_choice auto: hermes, "
            + "llama3_json or mistral (vLLM's names). Default: detected from the chat template, else hermes.")
    String toolCallParser;
    @Option(names = "--max-body-bytes", defaultValue = "4194304", description = "Largest request body. Default: ${DEFAULT-VALUE}")
    int maxBodyBytes;
    @Option(names = "--no-ui", description = "Do not serve the web playground at /.") boolean noUi;
    @Option(names = "--max-prompts-per-request", defaultValue = "128", description = "Prompts in one completions request. Default: ${DEFAULT-VALUE}")
    int maxPrompts;
    @Option(names = "--max-choices-per-request", defaultValue = "256", description = "Prompts × n in one request. Default: ${DEFAULT-VALUE}")
    int maxChoices;
    @Option(names = "--max-prompt-tokens-per-request", defaultValue = "262144",
            description = "Prompt tokens summed over a request's prompts. Default: ${DEFAULT-VALUE}")
    int maxPromptTokens;
    @Option(names = "--max-output-tokens-per-request", defaultValue = "262144",
            description = "max_tokens × choices of one request. Default: ${DEFAULT-VALUE}")
    int maxOutputTokens;
    @Option(names = "--max-stop-strings", defaultValue = "16", description = "Default: ${DEFAULT-VALUE}") int maxStopStrings;
    @Option(names = "--max-stop-string-chars", defaultValue = "1024", description = "Default: ${DEFAULT-VALUE}") int maxStopChars;
    @Option(names = "--max-logit-bias", defaultValue = "1024", description = "Entries of logit_bias. Default: ${DEFAULT-VALUE}")
    int maxLogitBias;
    @Option(names = "--max-pending-tokens", defaultValue = "0", description = "Work (prompt + max_tokens × n tokens) accepted and "
            + "not finished; each connection gets a fair share while others wait. 0: 4 × the KV cache's tokens.")
    long maxPendingTokens;
    @Option(names = "--max-connections", defaultValue = "0",
            description = "Open connections; past it the longest-idle one is closed. 0: what the open-file limit allows.")
    int maxConnections;
    @Option(names = "--timeout-keep-alive", defaultValue = "60", description = "Seconds an idle connection stays open. Default: ${DEFAULT-VALUE}")
    int idleTimeout;
    @Option(names = "--header-timeout", defaultValue = "10", description = "Seconds a request's headers may take. Default: ${DEFAULT-VALUE}")
    int headerTimeout;
    @Option(names = "--body-timeout", defaultValue = "60", description = "Seconds a whole request may take to arrive. Default: ${DEFAULT-VALUE}")
    int bodyTimeout;
    @Option(names = "--max-pipelined-requests", defaultValue = "16",
            description = "Requests waiting behind one in progress on a connection. Default: ${DEFAULT-VALUE}")
    int maxPipelined;
    @Option(names = "--request-workers", defaultValue = "0",
            description = "Threads parsing, templating and tokenizing requests. 0: half the cores, at least one.")
    int workers;
    @Option(names = "--max-queued-requests", defaultValue = "256",
            description = "Requests waiting for a worker; more get a 429. Default: ${DEFAULT-VALUE}")
    int maxQueued;
    @Option(names = "--log-format", defaultValue = "text",
            description = "text, or json: one JSON object per line (for log collectors). Default: ${DEFAULT-VALUE}")
    String logFormat;
    @Option(names = "--prefix-cache-scope", defaultValue = "global", description = "Which requests share prefix-cache "
            + "blocks: global (all with the same cache_salt) or connection (only one connection's, so no client can probe "
            + "another's prompts through cached_tokens). Default: ${DEFAULT-VALUE}")
    String prefixCacheScope;
    @Option(names = "--shutdown-grace-seconds", defaultValue = "30",
            description = "On SIGTERM, how long running requests may take to finish. Default: ${DEFAULT-VALUE}")
    int graceSeconds;

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("OVSERVE_API_KEY");
        java.util.function.Consumer<String> say = switch (logFormat) {
            case "text" -> LogFormat.TEXT.install();
            case "json" -> LogFormat.JSON.install();
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--log-format must be text or json, not " + logFormat);
        };
        PrefixCacheScope scope = PrefixCacheScope.parse(prefixCacheScope); // before loading the model
        EngineOptions.Loaded model;
        // While the model loads, the port answers probes (/health 503 "loading", /health/live 200).
        try (LoadingResponder loading = port != 0 ? LoadingResponder.start(host, port) : null) {
            model = engine.load();
        }
        try (EngineOptions.Loaded loaded = model) {
            String name = servedModelName != null ? servedModelName : loaded.dir().getFileName().toString();
            long kvTokens = (long) loaded.runner().numBlocks() * loaded.runner().blockSize();
            Limits limits = new Limits(maxBodyBytes, 1, maxPrompts, maxChoices, maxPromptTokens, maxOutputTokens, maxStopStrings,
                    maxStopChars, maxLogitBias, maxPendingTokens > 0 ? maxPendingTokens : 4 * kvTokens,
                    maxConnections > 0 ? maxConnections : connectionsTheFileLimitAllows(), idleTimeout, headerTimeout, bodyTimeout,
                    maxPipelined, workers, maxQueued);
            ServerApp server = ServerApp.start(loaded.engine(), loaded.dir(), loaded.devices()::loads,
                    new ServerApp.Settings(host, port, name, key == null || key.isBlank() ? null : key, limits, !noUi,
                            scope, toolCallParser));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                say.accept("ovserve: shutting down; letting running requests finish (up to " + graceSeconds + " s)");
                server.shutdown(graceSeconds * 1000L);
                stopped.countDown();
            }, "ovserve-shutdown"));
            say.accept(String.format("ovserve: serving %s on %s (%s) at http://%s:%d with %d KV blocks", name,
                    loaded.engine().stats().servingDevice(), String.join(",", loaded.runner().executionDevices()), host, server.port(),
                    loaded.runner().numBlocks()));
            if (!noUi) {
                say.accept(String.format("ovserve: playground at http://%s:%d/ (--no-ui turns it off)", host, server.port()));
            }
            stopped.await();
        }
        return 0;
    }

    /**
     * Connections that still leave file descriptors for the runtime (libraries, model files,
     * accepting): past the open-file limit every accept fails and nothing is served.
     */
    static int connectionsTheFileLimitAllows() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long spare = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - 128;
            return (int) Math.max(16, Math.min(10_000, spare));
        }
        return 1000;
    }
}

package dev.ovserve.server.cli;

import dev.ovserve.server.http.Limits;
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
    @Option(names = "--shutdown-grace-seconds", defaultValue = "30",
            description = "On SIGTERM, how long running requests may take to finish. Default: ${DEFAULT-VALUE}")
    int graceSeconds;

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("OVSERVE_API_KEY");
        try (EngineOptions.Loaded loaded = engine.load()) {
            String name = servedModelName != null ? servedModelName : loaded.dir().getFileName().toString();
            ServerApp server = ServerApp.start(loaded.engine(), loaded.dir(), loaded.devices()::loads,
                    new ServerApp.Settings(host, port, name, key == null || key.isBlank() ? null : key, new Limits(maxBodyBytes, 1),
                            !noUi, toolCallParser));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.err.println("ovserve: shutting down; letting running requests finish (up to " + graceSeconds + " s)");
                server.shutdown(graceSeconds * 1000L);
                stopped.countDown();
            }, "ovserve-shutdown"));
            System.err.printf("ovserve: serving %s on %s (%s) at http://%s:%d with %d KV blocks%n", name,
                    loaded.engine().stats().servingDevice(), String.join(",", loaded.runner().executionDevices()), host, server.port(),
                    loaded.runner().numBlocks());
            if (!noUi) {
                System.err.printf("ovserve: playground at http://%s:%d/ (--no-ui turns it off)%n", host, server.port());
            }
            stopped.await();
        }
        return 0;
    }
}

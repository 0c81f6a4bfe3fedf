package dev.ovserve.server.http;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.ovserve.models.GenerationConfig;
import dev.ovserve.models.RandomGpt2Generator;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.paged.PagedModelOptions;
import dev.ovserve.models.paged.PagedModelRunner;
import dev.ovserve.server.serving.DeviceLoad;
import dev.ovserve.openvino.Core;
import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.scheduler.engine.SchedulerConfig;
import dev.ovserve.tokenizer.HfTokenizer;
import dev.ovserve.tokenizer.TokenizerJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The real server on a tiny random GPT-2 (2 layers, vocab 384, context 128) with the byte-level
 * test tokenizer, running on the real OpenVINO CPU runtime with exact (f32) math, listening on a
 * random port of 127.0.0.1. The model is generated once per JVM and shared by every test class.
 */
final class TinyServer implements AutoCloseable {
    static final String MODEL = "tiny";
    static final int MAX_MODEL_LEN = 128;

    private static Path root;

    final Path hfDir;
    final Path irDir;
    final Core core;
    final PagedModelRunner runner;
    final Engine engine;
    final ServerApp app;
    final HfTokenizer tokenizer;
    final String apiKey;

    private TinyServer(Path hfDir, Path irDir, Core core, PagedModelRunner runner, Engine engine, ServerApp app,
                       HfTokenizer tokenizer, String apiKey) {
        this.hfDir = hfDir;
        this.irDir = irDir;
        this.core = core;
        this.runner = runner;
        this.engine = engine;
        this.app = app;
        this.tokenizer = tokenizer;
        this.apiKey = apiKey;
    }

    static SchedulerConfig defaultConfig() {
        return new SchedulerConfig(32, 512, MAX_MODEL_LEN, 64, true);
    }

    static TinyServer start() throws Exception {
        return start(defaultConfig(), null, Limits.DEFAULT);
    }

    static TinyServer start(SchedulerConfig config, String apiKey, Limits limits) throws Exception {
        return start(model().resolve("ir"), config, apiKey, limits);
    }

    /**
     * The same model with a tokenizer whose post-processor puts {@code <|endoftext|>} (id 256) in
     * front of every encoded text, as Llama-style tokenizers add BOS: completions prompts get it,
     * rendered chat templates (which write their own specials) must not.
     */
    static TinyServer startWithBosTokenizer() throws Exception {
        return start(bosModel(), defaultConfig(), null, Limits.DEFAULT);
    }

    static final int BOS = 256;

    /**
     * A Hermes-style chat template short enough for the tiny model's 128-token context: it lists
     * the tools' names, writes an assistant's calls as {@code <tool_call>name(city)</tool_call>}
     * (newlines follow text, not tags, which trim_blocks would eat)
     * (so a call's arguments must reach it as an object) and tool results in a tool turn.
     */
    static final String TOOLS_TEMPLATE = "{% if tools %}T:{% for t in tools %} {{ t.function.name }}{% endfor %};\n{% endif %}"
            + "{% for m in messages %}{% if m.tool_calls %}{% for c in m.tool_calls %}<tool_call>{{ c.function.name }}"
            + "({{ c.function.arguments.city }})</tool_call>{% endfor %};\n{% elif m.role == 'tool' %}R({{ m.tool_call_id }}):"
            + " {{ m.content }}\n{% else %}{{ m.role[0] }}: {{ m.content }}\n{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}a:{% endif %}";

    /** In the tools model's tokenizer, the added token {@code <tool_call>}. */
    static final int TOOL_CALL_TOKEN = 382;

    /**
     * The same model whose tokenizer_config.json carries {@link #TOOLS_TEMPLATE} and whose
     * tokenizer has {@code <tool_call>} as one added token ({@link #TOOL_CALL_TOKEN}).
     */
    static TinyServer startWithToolsTemplate() throws Exception {
        return start(toolsModel(), defaultConfig(), null, Limits.DEFAULT);
    }

    private static synchronized Path toolsModel() throws IOException {
        Path ir = model().resolve("ir");
        Path tools = root.resolve("ir-tools");
        if (!Files.isDirectory(tools)) {
            Files.createDirectories(tools);
            try (Stream<Path> files = Files.list(ir)) {
                for (Path f : files.toList()) {
                    Files.copy(f, tools.resolve(f.getFileName()));
                }
            }
            var config = (com.fasterxml.jackson.databind.node.ObjectNode) Http.JSON.readTree(tools.resolve("tokenizer_config.json").toFile());
            config.put("chat_template", TOOLS_TEMPLATE);
            Http.JSON.writeValue(tools.resolve("tokenizer_config.json").toFile(), config);
            // A chat_template.jinja beside it would win over tokenizer_config.json's template, as in transformers.
            Files.deleteIfExists(tools.resolve("chat_template.jinja"));
            // The last two merges (382, 383) go; <tool_call> is added, non-special, as in Qwen's vocabulary, and
            // takes id 382 (tokenizers numbers added tokens after the model's vocabulary); the model's EOS
            // id 383 is then no text at all.
            var json = (com.fasterxml.jackson.databind.node.ObjectNode) Http.JSON.readTree(tools.resolve("tokenizer.json").toFile());
            var vocab = (com.fasterxml.jackson.databind.node.ObjectNode) json.path("model").path("vocab");
            List<String> last = new java.util.ArrayList<>();
            for (var e : vocab.properties()) {
                if (e.getValue().intValue() >= TOOL_CALL_TOKEN) {
                    last.add(e.getKey());
                }
            }
            last.forEach(vocab::remove);
            var merges = (com.fasterxml.jackson.databind.node.ArrayNode) json.path("model").path("merges");
            merges.remove(merges.size() - 1);
            merges.remove(merges.size() - 1);
            ((com.fasterxml.jackson.databind.node.ArrayNode) json.path("added_tokens")).addObject().put("id", TOOL_CALL_TOKEN)
                    .put("content", "<tool_call>").put("single_word", false).put("lstrip", false).put("rstrip", false)
                    .put("normalized", false).put("special", false);
            Http.JSON.writeValue(tools.resolve("tokenizer.json").toFile(), json);
        }
        return tools;
    }

    private static synchronized Path bosModel() throws IOException {
        Path ir = model().resolve("ir");
        Path bos = root.resolve("ir-bos");
        if (!Files.isDirectory(bos)) {
            Files.createDirectories(bos);
            try (Stream<Path> files = Files.list(ir)) {
                for (Path f : files.toList()) {
                    Files.copy(f, bos.resolve(f.getFileName()));
                }
            }
            var json = (com.fasterxml.jackson.databind.node.ObjectNode) Http.JSON.readTree(bos.resolve("tokenizer.json").toFile());
            var post = Http.JSON.createObjectNode().put("type", "TemplateProcessing");
            post.putArray("single").addObject().putObject("SpecialToken").put("id", "<|endoftext|>").put("type_id", 0);
            post.withArray("single").addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            var pair = post.putArray("pair");
            pair.addObject().putObject("SpecialToken").put("id", "<|endoftext|>").put("type_id", 0);
            pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
            var special = post.putObject("special_tokens").putObject("<|endoftext|>").put("id", "<|endoftext|>");
            special.putArray("ids").add(BOS);
            special.putArray("tokens").add("<|endoftext|>");
            json.set("post_processor", post);
            Http.JSON.writeValue(bos.resolve("tokenizer.json").toFile(), json);
        }
        return bos;
    }

    static TinyServer start(Path ir, SchedulerConfig config, String apiKey, Limits limits) throws Exception {
        return start(ir, config, apiKey, limits, true, Duration.ZERO, true);
    }

    /**
     * {@code ui} serves the web playground; a positive {@code minStep} holds every engine step to
     * at least that long (the real runner still computes each one), so a reply is slow enough to
     * watch it grow and to stop it half-way.
     */
    static TinyServer start(SchedulerConfig config, String apiKey, boolean ui, Duration minStep) throws Exception {
        return start(model().resolve("ir"), config, apiKey, Limits.DEFAULT, ui, minStep, true);
    }

    /** {@code ready} false: /health says "loading" until {@code app.markReady()}. */
    static TinyServer startLoading() throws Exception {
        return start(model().resolve("ir"), defaultConfig(), null, Limits.DEFAULT, true, Duration.ZERO, false);
    }

    /** The engine runs {@code wrap(runner)}: lets a test inject failures into the real model's steps. */
    static TinyServer startWrapped(UnaryOperator<ModelRunner> wrap) throws Exception {
        return start(model().resolve("ir"), defaultConfig(), null, Limits.DEFAULT, true, wrap, true);
    }

    private static TinyServer start(Path ir, SchedulerConfig config, String apiKey, Limits limits, boolean ui, Duration minStep,
                                    boolean ready) throws Exception {
        UnaryOperator<ModelRunner> pace = minStep.isPositive() ? r -> new PacedRunner(r, minStep) : r -> r;
        return start(ir, config, apiKey, limits, ui, pace, ready);
    }

    /** Prefix-cache blocks shared only as {@code scope} allows. */
    static TinyServer start(PrefixCacheScope scope) throws Exception {
        return start(model().resolve("ir"), defaultConfig(), null, Limits.DEFAULT, true, r -> r, true, scope);
    }

    private static TinyServer start(Path ir, SchedulerConfig config, String apiKey, Limits limits, boolean ui,
                                    UnaryOperator<ModelRunner> wrap, boolean ready) throws Exception {
        return start(ir, config, apiKey, limits, ui, wrap, ready, PrefixCacheScope.GLOBAL);
    }

    private static TinyServer start(Path ir, SchedulerConfig config, String apiKey, Limits limits, boolean ui,
                                    UnaryOperator<ModelRunner> wrap, boolean ready, PrefixCacheScope scope) throws Exception {
        Path hf = model().resolve("hf");
        Core core = new Core();
        PagedModelRunner runner = null;
        Engine engine = null;
        try {
            runner = PagedModelRunner.load(core, ir, PagedModelOptions.cpu(0.01).withProperties(TinyModels.EXACT));
            engine = new Engine(wrap.apply(runner), config, new HashSet<>(GenerationConfig.load(ir).eosTokenIds()));
            PagedModelRunner.LoadTimes loadTimes = runner.loadTimes();
            ServerApp app = ServerApp.start(engine, ir, () -> List.of(new DeviceLoad("CPU", loadTimes)),
                    new ServerApp.Settings("127.0.0.1", 0, MODEL, apiKey, limits, ui, scope), ready);
            return new TinyServer(hf, ir, core, runner, engine, app, HfTokenizer.load(ir), apiKey);
        } catch (Exception | Error e) {
            if (engine != null) {
                engine.close();
            }
            if (runner != null) {
                runner.close();
            }
            core.close();
            throw e;
        }
    }

    /** The HF directory (safetensors + bytes tokenizer) and its FP32 IR, built once per JVM. */
    private static synchronized Path model() throws IOException {
        if (root == null) {
            Path dir = Files.createTempDirectory("ovserve-http-test");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            Path hf = dir.resolve("hf");
            new RandomGpt2Generator(TinyModels.SHAPE, TinyModels.SEED, TinyModels.STD).writeTo(hf);
            TokenizerJson.bytes(TinyModels.SHAPE.vocab(), hf);
            Gpt2IrConverter.convert(hf, dir.resolve("ir"), WeightFormat.FP32);
            root = dir;
        }
        return root;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return app.port();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The official OpenAI Java SDK pointed at this server; no retries, so every status is seen as sent. */
    OpenAIClient sdk() {
        return sdk(apiKey == null ? "any-key" : apiKey);
    }

    OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl() + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(60))
                .build();
    }

    /** Text the server would show for these generated ids (special tokens skipped, as the server does). */
    String decode(int[] ids) {
        return tokenizer.decode(ids, true);
    }

    int[] encode(String text) {
        return tokenizer.encode(text);
    }

    /** Waits until no KV block is referenced and nothing runs or waits; returns the last stats seen. */
    dev.ovserve.scheduler.engine.EngineStats awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        var s = engine.stats();
        while (System.nanoTime() < deadline) {
            s = engine.stats();
            if (s.usedBlocks() == 0 && s.running() == 0 && s.waiting() == 0 && app.inFlight() == 0) {
                return s;
            }
            Thread.sleep(20);
        }
        return s;
    }

    @Override
    public void close() {
        try {
            app.close();
        } finally {
            tokenizer.close();
            engine.close();
            runner.close();
            core.close();
        }
    }

    static List<Long> longs(int... ids) {
        return java.util.Arrays.stream(ids).mapToObj(i -> (long) i).toList();
    }
}

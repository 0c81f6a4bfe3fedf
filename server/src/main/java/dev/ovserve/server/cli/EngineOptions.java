package dev.ovserve.server.cli;

import dev.ovserve.models.GenerationConfig;
import dev.ovserve.models.ModelConfig;
import dev.ovserve.models.paged.PagedModelOptions;
import dev.ovserve.models.paged.PagedModelRunner;
import dev.ovserve.openvino.Core;
import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.scheduler.engine.SchedulerConfig;
import dev.ovserve.server.serving.DevicePlan;
import dev.ovserve.server.serving.ModelDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** Options shared by every command that runs the paged engine (vLLM names). */
final class EngineOptions {
    @Option(names = "--model", description = "IR model directory (default: the built-in random distilgpt2-shaped model).")
    Path model;
    @Option(names = "--device", defaultValue = "AUTO:CPU,GPU",
            description = "A device (CPU, GPU, GPU.1), or AUTO:FIRST,THEN to serve on FIRST while THEN compiles, then move new "
                    + "requests to THEN; devices not present are skipped. Default: ${DEFAULT-VALUE}")
    String device;
    @Option(names = "--performance-hint", defaultValue = "LATENCY",
            description = "LATENCY, THROUGHPUT or CUMULATIVE_THROUGHPUT. Default: ${DEFAULT-VALUE}")
    String performanceHint;
    @Option(names = "--cache-dir", description = "Where compiled models are cached, so a restart imports instead of compiling "
            + "(default: model_cache in the model folder, or ~/.cache/ovserve/model_cache if that is read-only). Not used on "
            + "CPU, whose plugin cannot import paged models in this OpenVINO release.")
    Path cacheDir;
    @Option(names = "--no-model-cache", description = "Compile every time.")
    boolean noModelCache;
    @Option(names = "--no-mmap", description = "Read weights into memory instead of mapping the .bin file.")
    boolean noMmap;
    @Option(names = "--kv-cache-size", defaultValue = "2", description = "KV cache size in GiB. Default: ${DEFAULT-VALUE}")
    double kvCacheGiB;
    @Option(names = "--block-size", defaultValue = "0", description = "Tokens per KV block; 0 = the device's choice (32 on CPU).")
    int blockSize;
    @Option(names = "--max-num-seqs", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}")
    int maxNumSeqs;
    @Option(names = "--max-num-batched-tokens", defaultValue = "2048", description = "Token budget per step. Default: ${DEFAULT-VALUE}")
    int maxNumBatchedTokens;
    @Option(names = "--max-model-len", description = "Longest prompt + output (default: the model's context).")
    Integer maxModelLen;
    @Option(names = "--max-waiting-requests", defaultValue = "1024", description = "Default: ${DEFAULT-VALUE}")
    int maxWaiting;
    @Option(names = "--no-prefix-caching", description = "Turn off automatic prefix caching.")
    boolean noPrefixCaching;
    @Option(names = "--property", description = "Extra compile property KEY=VALUE (repeatable).")
    Map<String, String> properties = new LinkedHashMap<>();

    /** A loaded model with its engine; closing stops the engine, then frees the models. */
    record Loaded(Path dir, ModelDevices devices, Core core) implements AutoCloseable {
        Engine engine() {
            return devices.engine();
        }

        /** The runner serving first; later devices run the same model. */
        PagedModelRunner runner() {
            return devices.first();
        }

        @Override
        public void close() {
            devices.close();
            core.close();
        }
    }

    Path modelDir() throws Exception {
        Path dir = model != null ? model : DefaultModel.ensure();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist");
        }
        return dir;
    }

    Loaded load() throws Exception {
        Path dir = modelDir();
        ModelConfig config = ModelConfig.load(dir);
        int contextLength = config.servedContext(maxModelLen);
        Set<Integer> eos = eosTokenIds(dir);
        DevicePlan plan = DevicePlan.parse(device);
        SchedulerConfig scheduling = new SchedulerConfig(maxNumSeqs, maxNumBatchedTokens, contextLength, maxWaiting, !noPrefixCaching);
        Map<String, String> compile = new LinkedHashMap<>();
        compile.put("PERFORMANCE_HINT", performanceHint.toUpperCase(java.util.Locale.ROOT));
        Path cache = noModelCache ? null : cacheDir != null ? cacheDir : defaultCacheDir(dir);
        compile.putAll(properties);
        Core core = new Core();
        try {
            if (noMmap) {
                core.setProperty(null, "ENABLE_MMAP", "NO");
            }
            ModelDevices devices = ModelDevices.start(core, dir, plan, new PagedModelOptions(plan.devices().getFirst(), kvCacheGiB,
                    blockSize, compile), cache, scheduling, eos);
            return new Loaded(dir, devices, core);
        } catch (RuntimeException e) {
            core.close();
            throw e;
        }
    }

    /**
     * Where generation stops, as vLLM decides it: generation_config.json's EOS ids (config.json's
     * without that file) plus tokenizer_config.json's {@code eos_token}, so a chat model whose
     * generation config names only the base model's EOS still stops at the end of its turn.
     */
    static Set<Integer> eosTokenIds(Path dir) throws java.io.IOException {
        Set<Integer> eos = new HashSet<>(GenerationConfig.load(dir).eosTokenIds());
        if (Files.isRegularFile(dir.resolve(dev.ovserve.tokenizer.TokenizerJson.TOKENIZER_FILE))) {
            try (var tokenizer = dev.ovserve.tokenizer.HfTokenizer.load(dir)) {
                tokenizer.eosTokenId().ifPresent(eos::add);
            }
        }
        return eos;
    }

    /** Beside the model when its folder is writable, else in the user's cache folder. */
    static Path defaultCacheDir(Path modelDir) {
        if (Files.isWritable(modelDir)) {
            return modelDir.resolve("model_cache");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("ovserve/model_cache");
    }
}

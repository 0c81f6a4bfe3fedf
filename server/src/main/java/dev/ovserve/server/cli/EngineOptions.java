package dev.ovserve.server.cli;

import dev.ovserve.models.GenerationConfig;
import dev.ovserve.models.Gpt2Config;
import dev.ovserve.models.paged.PagedModelOptions;
import dev.ovserve.models.paged.PagedModelRunner;
import dev.ovserve.openvino.Core;
import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.scheduler.engine.SchedulerConfig;
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
    @Option(names = "--device", defaultValue = "CPU", description = "Default: ${DEFAULT-VALUE}")
    String device;
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

    /** A loaded model with its engine; closing stops the engine, then frees the model. */
    record Loaded(Path dir, PagedModelRunner runner, Engine engine, Core core) implements AutoCloseable {
        @Override
        public void close() {
            engine.close();
            runner.close();
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
        Gpt2Config config = Gpt2Config.load(dir);
        int contextLength = maxModelLen != null ? maxModelLen : config.nPositions();
        if (contextLength > config.nPositions()) {
            throw new IllegalArgumentException("--max-model-len " + contextLength + " exceeds the model's " + config.nPositions() + " positions");
        }
        Set<Integer> eos = new HashSet<>(GenerationConfig.load(dir).eosTokenIds());
        Core core = new Core();
        PagedModelRunner runner = null;
        try {
            runner = PagedModelRunner.load(core, dir, new PagedModelOptions(device, kvCacheGiB, blockSize, properties));
            SchedulerConfig scheduling = new SchedulerConfig(maxNumSeqs, maxNumBatchedTokens, contextLength, maxWaiting, !noPrefixCaching);
            return new Loaded(dir, runner, new Engine(runner, scheduling, eos), core);
        } catch (RuntimeException e) {
            if (runner != null) {
                runner.close();
            }
            core.close();
            throw e;
        }
    }
}

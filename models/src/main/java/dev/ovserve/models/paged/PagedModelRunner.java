package dev.ovserve.models.paged;

import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.openvino.CompiledModel;
import dev.ovserve.openvino.Core;
import dev.ovserve.openvino.InferRequest;
import dev.ovserve.openvino.Model;
import dev.ovserve.openvino.OpenVinoException;
import dev.ovserve.openvino.PagedAttentionHelper;
import dev.ovserve.openvino.Port;
import dev.ovserve.openvino.Tensor;
import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.ModelStep;
import dev.ovserve.scheduler.SequenceChunk;
import dev.ovserve.scheduler.StepLogits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Runs batched steps of a stateful causal-LM IR (ours or optimum-intel's) rewritten for paged
 * attention: the helper applies SDPAToPagedAttention and adds {@code sampled_tokens_indices} so
 * the LM head only sees rows that will be sampled. Inputs are discovered from the compiled
 * model by name, never by position; an input it does not know stops the load with its name.
 */
public final class PagedModelRunner implements ModelRunner {
    private static final Logger LOG = Logger.getLogger(PagedModelRunner.class.getName());
    private static final Set<String> STEP_INPUTS = Set.of("input_ids", "position_ids", "past_lens", "subsequence_begins",
            "block_indices", "block_indices_begins", "max_context_len", "sampled_tokens_indices");

    /**
     * Wall-clock split of loading, for logs and metrics. {@code compileSeconds} is an import of
     * the cached blob when {@code fromCache}; {@code warmupSeconds} is the first inference, run
     * during loading so no request pays for it.
     */
    public record LoadTimes(double readSeconds, double transformSeconds, double compileSeconds, boolean fromCache,
                            double warmupSeconds) {
        public double totalSeconds() {
            return readSeconds + transformSeconds + compileSeconds + warmupSeconds;
        }
    }

    private final CompiledModel compiled;
    private final InferRequest request;
    private final KvCache cache;
    private final Arena arena = Arena.ofShared();
    private final Map<String, IndexInput> inputs = new LinkedHashMap<>();
    private final boolean gathersLogits;
    private final KvLayout layout;
    private final int vocabSize;
    private LoadTimes loadTimes; // completed by load() once the warm-up ran
    private final List<String> devices;

    private PagedModelRunner(CompiledModel compiled, KvCache cache, KvLayout layout, boolean gathersLogits, LoadTimes loadTimes) {
        this.compiled = compiled;
        this.layout = layout;
        this.cache = cache;
        this.gathersLogits = gathersLogits;
        this.loadTimes = loadTimes;
        this.request = compiled.createInferRequest();
        try {
            cache.bind(request);
            for (Port p : compiled.inputs()) {
                if (STEP_INPUTS.contains(p.name())) {
                    inputs.put(p.name(), new IndexInput(p.name(), p.elementType(), p.shape().rank() == 0, arena));
                }
            }
            var logits = compiled.output("logits").shape();
            this.vocabSize = (int) logits.dimension(logits.rank() - 1).length();
            this.devices = compiled.executionDevices();
        } catch (RuntimeException e) {
            request.close();
            throw e;
        }
    }

    public static PagedModelRunner load(Core core, Path modelDir, PagedModelOptions options) {
        Path xml = modelDir.resolve(Gpt2IrConverter.XML);
        if (!Files.isRegularFile(xml)) {
            throw new IllegalArgumentException("no " + Gpt2IrConverter.XML + " in " + modelDir);
        }
        long t0 = System.nanoTime();
        try (Model model = core.readModel(xml)) {
            long t1 = System.nanoTime();
            DecoderContract.checkStateful(model, xml);
            DecoderContract.toPaged(model, xml);
            boolean gathers = true;
            try {
                PagedAttentionHelper.gatherBeforeLogits(model);
            } catch (OpenVinoException e) {
                gathers = false; // logits for every token, sliced here instead
                LOG.warning("logits cannot be gathered inside the model (" + e.runtimeMessage() + "); slicing instead");
            }
            long t2 = System.nanoTime();
            Map<String, String> props = new LinkedHashMap<>();
            props.put("PERFORMANCE_HINT", "LATENCY");
            props.putAll(options.properties());
            CompiledModel compiled = core.compileModel(model, options.device(), props);
            long t3 = System.nanoTime();
            try {
                List<Port> cacheInputs = new ArrayList<>();
                List<String> unknown = new ArrayList<>();
                for (Port p : compiled.inputs()) {
                    if (p.name().startsWith("key_cache.") || p.name().startsWith("value_cache.")) {
                        cacheInputs.add(p);
                    } else if (!STEP_INPUTS.contains(p.name())) {
                        unknown.add(p.name());
                    }
                }
                if (!unknown.isEmpty()) {
                    throw new IllegalStateException("the paged model has inputs ovserve does not know how to fill: " + unknown);
                }
                KvLayout layout = KvLayout.of(cacheInputs);
                KvCache cache = KvCache.allocate(compiled, cacheInputs, (long) (options.kvCacheGiB() * (1L << 30)));
                if (options.blockSize() != 0 && options.blockSize() != cache.blockSize()) {
                    cache.close();
                    throw new IllegalArgumentException("--block-size " + options.blockSize() + " differs from the "
                            + cache.blockSize() + " tokens per block that " + options.device() + " uses for this model");
                }
                LoadTimes times = new LoadTimes((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, loadedFromCache(compiled), 0);
                PagedModelRunner runner;
                try {
                    runner = new PagedModelRunner(compiled, cache, layout, gathers, times);
                } catch (RuntimeException e) {
                    cache.close();
                    throw e;
                }
                try {
                    runner.warmUp();
                } catch (RuntimeException e) {
                    runner.close();
                    throw e;
                }
                LoadTimes done = runner.loadTimes;
                LOG.info(() -> "paged model " + modelDir + " on " + runner.devices + ": " + layout + ", " + cache.describe()
                        + String.format(", read %.2fs transform %.2fs %s %.2fs warm-up %.2fs", done.readSeconds(),
                        done.transformSeconds(), done.fromCache() ? "cache import" : "compile", done.compileSeconds(),
                        done.warmupSeconds()));
                return runner;
            } catch (RuntimeException e) {
                compiled.close();
                throw e;
            }
        }
    }

    @Override
    public StepLogits execute(ModelStep step) {
        if (!step.copies().isEmpty()) {
            cache.copy(step.copies());
        }
        int tokens = step.tokenCount();
        int chunks = step.chunks().size();
        if (chunks == 0) {
            return new StepLogits(new float[0], 0, vocabSize);
        }
        int blockSize = cache.blockSize();
        int blockRefs = 0;
        for (SequenceChunk c : step.chunks()) {
            blockRefs += blocksFor(c.endPosition(), blockSize);
        }
        IndexInput ids = inputs.get("input_ids");
        IndexInput positions = inputs.get("position_ids");
        IndexInput pastLens = inputs.get("past_lens");
        IndexInput begins = inputs.get("subsequence_begins");
        IndexInput blocks = inputs.get("block_indices");
        IndexInput blockBegins = inputs.get("block_indices_begins");
        IndexInput maxContext = inputs.get("max_context_len");
        IndexInput sampled = inputs.get("sampled_tokens_indices");
        ids.reset(tokens);
        positions.reset(tokens);
        pastLens.reset(chunks);
        begins.reset(chunks + 1);
        blocks.reset(blockRefs);
        blockBegins.reset(chunks + 1);
        maxContext.reset(1);
        if (sampled != null) {
            sampled.reset(step.sampledCount());
        }
        int packed = 0;
        int longest = 0;
        int[] sampledRows = new int[step.sampledCount()];
        int sampledCount = 0;
        begins.add(0);
        blockBegins.add(0);
        for (SequenceChunk c : step.chunks()) {
            int[] t = c.tokens();
            for (int i = 0; i < t.length; i++) {
                if (t[i] < 0 || t[i] >= vocabSize) {
                    throw new IllegalArgumentException("token id " + t[i] + " outside the vocabulary of " + vocabSize);
                }
                ids.add(t[i]);
                positions.add(c.pastLength() + i);
            }
            packed += t.length;
            pastLens.add(c.pastLength());
            begins.add(packed);
            int needed = blocksFor(c.endPosition(), blockSize);
            if (c.blockTable().length < needed) {
                throw new IllegalArgumentException("sequence " + c.sequenceId() + " has " + c.blockTable().length
                        + " blocks for " + c.endPosition() + " positions");
            }
            for (int b = 0; b < needed; b++) {
                blocks.add(c.blockTable()[b]);
            }
            blockBegins.add(blocks.size());
            longest = Math.max(longest, c.endPosition());
            if (c.sample()) {
                sampledRows[sampledCount++] = packed - 1;
                if (sampled != null) {
                    sampled.add(packed - 1);
                }
            }
        }
        maxContext.add(longest);
        List<Tensor> bound = new ArrayList<>(inputs.size());
        try {
            for (IndexInput in : inputs.values()) {
                bound.add(in.bind(request));
            }
            request.infer();
        } finally {
            for (Tensor t : bound) {
                t.close();
            }
        }
        return readLogits(sampledRows, sampledCount);
    }

    private StepLogits readLogits(int[] rows, int count) {
        float[] out = new float[count * vocabSize];
        try (Tensor logits = request.getTensor("logits")) {
            MemorySegment data = logits.data();
            long rowBytes = (long) vocabSize * Float.BYTES;
            for (int r = 0; r < count; r++) {
                long from = gathersLogits ? r * rowBytes : rows[r] * rowBytes;
                MemorySegment.copy(data, ValueLayout.JAVA_FLOAT, from, out, r * vocabSize, vocabSize);
            }
        }
        return new StepLogits(out, count, vocabSize);
    }

    private static int blocksFor(int positions, int blockSize) {
        return (positions + blockSize - 1) / blockSize;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int blockSize() {
        return cache.blockSize();
    }

    @Override
    public int numBlocks() {
        return cache.numBlocks();
    }

    /**
     * One token through the model, so one-time work (kernel selection, weight repacking, scratch
     * allocation) happens now rather than in the first request. It writes position 0 of block 0,
     * which the engine has not handed out yet and overwrites before any read.
     */
    private void warmUp() {
        long start = System.nanoTime();
        cache.commit();
        execute(new ModelStep(List.of(new SequenceChunk(-1, new int[] {0}, 0, new int[] {0}, true)), List.of()));
        LoadTimes t = loadTimes;
        loadTimes = new LoadTimes(t.readSeconds(), t.transformSeconds(), t.compileSeconds(), t.fromCache(),
                (System.nanoTime() - start) / 1e9);
    }

    /** The runtime's own word on whether compile_model imported a cached blob. */
    private static boolean loadedFromCache(CompiledModel compiled) {
        try {
            String v = compiled.property("LOADED_FROM_CACHE");
            return v.equalsIgnoreCase("YES") || v.equalsIgnoreCase("TRUE") || v.equals("1");
        } catch (OpenVinoException e) {
            return false; // a device that does not report it
        }
    }

    /** Layers, KV heads, head size and cache precision, as the compiled model declares them. */
    public KvLayout kvLayout() {
        return layout;
    }

    public LoadTimes loadTimes() {
        return loadTimes;
    }

    public List<String> executionDevices() {
        return devices;
    }

    @Override
    public void close() {
        request.close();
        cache.close();
        compiled.close();
        arena.close();
    }
}

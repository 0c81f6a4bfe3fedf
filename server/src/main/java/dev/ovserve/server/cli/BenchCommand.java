package dev.ovserve.server.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.constraint.ConstraintCompiler;
import dev.ovserve.constraint.Vocabulary;
import dev.ovserve.scheduler.engine.EngineError;
import dev.ovserve.scheduler.engine.EngineStats;
import dev.ovserve.scheduler.engine.GenerationRequest;
import dev.ovserve.scheduler.engine.OutputSink;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.SamplingParams;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import dev.ovserve.tokenizer.TokenBytes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Offline engine benchmark: N random prompts of a given length, M new tokens each (EOS
 * ignored), at most C in flight (a closed loop: a finished request makes room for the next).
 * With {@code --json-schema} every output is constrained to the schema (and ends when its JSON
 * is complete), for decode throughput with structured output against the same run without.
 */
@Command(name = "bench", description = "Benchmark the engine offline: throughput, TTFT and inter-token latency.")
final class BenchCommand implements java.util.concurrent.Callable<Integer> {
    private static final ObjectMapper MAPPER = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    @Spec
    CommandSpec spec;
    @Mixin
    EngineOptions engine;
    @Option(names = "--num-prompts", defaultValue = "64") int numPrompts;
    @Option(names = "--prompt-len", defaultValue = "128") int promptLen;
    @Option(names = "--shared-prefix", defaultValue = "0", description = "Leading tokens every prompt shares.")
    int sharedPrefix;
    @Option(names = "--max-tokens", defaultValue = "128") int maxTokens;
    @Option(names = "--concurrency", defaultValue = "16", split = ",", description = "One or more, e.g. 1,4,16,64.")
    int[] concurrency;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--warmup", defaultValue = "2", description = "Requests run first and not measured.") int warmup;
    @Option(names = "--save-prompts", paramLabel = "FILE",
            description = "Write the measured prompts (token ids) as JSON, so peers can run the very same ones.")
    Path savePrompts;
    @Option(names = "--json-out", paramLabel = "FILE", description = "Also write the results as JSON (for plots).")
    Path jsonOut;
    @Option(names = "--json-schema", paramLabel = "FILE", description = "Constrain every output to this JSON schema "
            + "(structured output), to compare decode throughput with unconstrained runs. Outputs end when the JSON is complete.")
    Path jsonSchema;

    /** Timings of one request, in nanoseconds. */
    private static final class Timing implements OutputSink {
        final long submitted = System.nanoTime();
        final List<Long> tokenTimes = new ArrayList<>();
        final CompletableFuture<Usage> done = new CompletableFuture<>();
        final Runnable onDone;

        Timing(Runnable onDone) {
            this.onDone = onDone;
        }

        @Override
        public void onToken(int index, SampledToken token) {
            tokenTimes.add(System.nanoTime());
        }

        @Override
        public void onFinish(int index, FinishReason reason) {}

        @Override
        public void onComplete(Usage usage) {
            done.complete(usage);
            onDone.run();
        }

        @Override
        public void onError(EngineError error) {
            done.completeExceptionally(new IllegalStateException(error.message()));
            onDone.run();
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (sharedPrefix > promptLen) {
            throw new IllegalArgumentException("--shared-prefix cannot exceed --prompt-len");
        }
        ResidentMemory before = ResidentMemory.now();
        try (EngineOptions.Loaded loaded = engine.load()) {
            ResidentMemory loadedRss = ResidentMemory.now();
            int vocab = loaded.runner().vocabSize();
            out.printf("model %s on %s, %d KV blocks of %d tokens; %d prompts x %d tokens (shared prefix %d), %d new tokens%n",
                    loaded.dir(), loaded.runner().executionDevices(), loaded.runner().numBlocks(), loaded.runner().blockSize(),
                    numPrompts, promptLen, sharedPrefix, maxTokens);
            constraint = jsonSchema == null ? null : compile(loaded, vocab, out);
            List<int[]> measured = prompts(numPrompts, vocab, seed);
            if (savePrompts != null) {
                writePrompts(measured);
            }
            run(loaded, prompts(Math.max(1, warmup), vocab, seed + 1), 1, "warmup");
            ResidentMemory warm = ResidentMemory.now();
            Runtime jvm = Runtime.getRuntime();
            // Loading runs one inference, which touches every weight; warm-up requests add KV pages and scratch.
            out.printf("resident memory: %s before load; %s after load; %s after warm-up; JVM heap committed %s%n",
                    before.describe(), loadedRss.describe(), warm.describe(), ResidentMemory.mib(jvm.totalMemory()));
            out.println("| concurrency | output tok/s | decode tok/s per sequence | req/s | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms | wall s | preemptions |");
            out.println("|---|---|---|---|---|---|---|---|---|---|");
            ObjectNode json = MAPPER.createObjectNode();
            json.put("engine", "ovserve").put("model", loaded.dir().toString()).put("prompts", numPrompts)
                    .put("prompt_len", promptLen).put("shared_prefix", sharedPrefix).put("max_tokens", maxTokens)
                    .put("prefix_caching", engine.noPrefixCaching ? "off" : "on")
                    .put("json_schema", jsonSchema == null ? null : jsonSchema.toString());
            ArrayNode rows = json.putArray("results");
            for (int c : concurrency) {
                Level level = Level.of(c, run(loaded, measured, c, "bench-c" + c));
                rows.add(MAPPER.valueToTree(level));
                out.printf("| %d | %.1f | %.1f | %.2f | %.1f | %.1f | %.1f | %.1f | %.2f | %d |%n", c, level.outputTokS(),
                        level.decodeTokSPerSeq(), level.reqS(), level.ttftP50Ms(), level.ttftP99Ms(), level.itlP50Ms(),
                        level.itlP99Ms(), level.wallS(), level.preemptions());
                out.flush();
            }
            if (jsonOut != null) {
                MAPPER.writerWithDefaultPrettyPrinter().writeValue(jsonOut.toFile(), json);
            }
        }
        return 0;
    }

    /** Null when outputs are free text. */
    private TokenConstraint constraint;

    /** The schema compiled once, as the server does: the model's token bytes, one compiler. */
    private TokenConstraint compile(EngineOptions.Loaded loaded, int vocab, PrintWriter out) throws IOException {
        long t0 = System.nanoTime();
        TokenBytes tokens = TokenBytes.load(loaded.dir(), vocab);
        ConstraintCompiler compiler = new ConstraintCompiler(new Vocabulary(tokens.bytes(), loaded.engine().eosTokenIds(), tokens.special()));
        long t1 = System.nanoTime();
        TokenConstraint c = compiler.jsonSchema(Files.readString(jsonSchema));
        out.printf("outputs constrained by the JSON schema %s (vocabulary index %.0f ms, schema compile %.0f ms)%n", jsonSchema,
                (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
        return c;
    }

    /** {@code ttftBySubmission} keeps submission order, which shows how prefills group into steps. */
    private record Result(int requests, double seconds, long outputTokens, double[] ttft, double[] itl, long preemptions,
            double[] ttftBySubmission) {}

    /** One concurrency level's figures, computed once for the table and the JSON (snake_case there). */
    record Level(int concurrency, double outputTokS, @JsonProperty("decode_tok_s_per_seq") double decodeTokSPerSeq, double reqS, double ttftP50Ms, double ttftP99Ms,
            double itlP50Ms, double itlP99Ms, double wallS, long preemptions, double[] ttftMsBySubmission) {
        static Level of(int concurrency, Result r) {
            return new Level(concurrency, r.outputTokens / r.seconds, 1000 / mean(r.itl), r.requests / r.seconds, pct(r.ttft, 50),
                    pct(r.ttft, 99), pct(r.itl, 50), pct(r.itl, 99), r.seconds, r.preemptions, r.ttftBySubmission);
        }
    }

    private Result run(EngineOptions.Loaded loaded, List<int[]> prompts, int concurrency, String tag) throws Exception {
        Semaphore slots = new Semaphore(concurrency);
        List<Timing> timings = new ArrayList<>();
        SamplingParams params = SamplingParams.builder().temperature(0).maxTokens(maxTokens).ignoreEos(true)
                .constraint(constraint).build();
        long preemptionsBefore = loaded.engine().stats().preemptions();
        long start = System.nanoTime();
        for (int i = 0; i < prompts.size(); i++) {
            slots.acquire();
            Timing t = new Timing(slots::release);
            timings.add(t);
            loaded.engine().submit(new GenerationRequest(tag + "-" + i, prompts.get(i), params, t));
        }
        AtomicLong tokens = new AtomicLong();
        for (Timing t : timings) {
            tokens.addAndGet(t.done.get(30, TimeUnit.MINUTES).completionTokens());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Double> ttft = new ArrayList<>();
        List<Double> itl = new ArrayList<>();
        for (Timing t : timings) {
            ttft.add((t.tokenTimes.getFirst() - t.submitted) / 1e6);
            for (int i = 1; i < t.tokenTimes.size(); i++) {
                itl.add((t.tokenTimes.get(i) - t.tokenTimes.get(i - 1)) / 1e6);
            }
        }
        EngineStats s = loaded.engine().stats();
        return new Result(prompts.size(), seconds, tokens.get(), sorted(ttft), sorted(itl), s.preemptions() - preemptionsBefore,
                ttft.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private List<int[]> prompts(int n, int vocab, long s) {
        SplittableRandom random = new SplittableRandom(s);
        int[] prefix = random.ints(sharedPrefix, 0, vocab).toArray();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] p = Arrays.copyOf(prefix, promptLen);
            for (int j = sharedPrefix; j < promptLen; j++) {
                p[j] = random.nextInt(vocab);
            }
            prompts.add(p);
        }
        return prompts;
    }

    private void writePrompts(List<int[]> prompts) throws IOException {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("prompt_len", promptLen).put("shared_prefix", sharedPrefix).put("max_tokens", maxTokens);
        ArrayNode list = json.putArray("prompts");
        for (int[] prompt : prompts) {
            ArrayNode ids = list.addArray();
            Arrays.stream(prompt).forEach(ids::add);
        }
        MAPPER.writeValue(savePrompts.toFile(), json);
    }

    private static double[] sorted(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    private static double mean(double[] values) {
        return java.util.Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}

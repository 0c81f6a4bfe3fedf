package dev.ovserve.server.cli;

import dev.ovserve.models.ModelConfig;
import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.quality.FidelityCheck;
import dev.ovserve.models.quality.FidelityReport;
import dev.ovserve.openvino.Core;
import dev.ovserve.tokenizer.HfTokenizer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "quality", mixinStandardHelpOptions = true,
        description = "Measure how faithfully a weight-compressed IR follows its FP32 source: KL divergence and top-1 "
                + "agreement of next-token distributions (teacher-forced on the reference's greedy continuation) and how "
                + "long the two models' greedy continuations agree (EOS ignored).")
final class QualityCommand implements Callable<Integer> {
    /** Varied on purpose (stories, code, facts, dialogue, lists) so no one kind of text dominates. */
    static final List<String> PROMPTS = List.of(
            "Once upon a time, in a village at the edge of a dark forest, there lived",
            "The old lighthouse keeper climbed the stairs one last time and",
            "def fibonacci(n):\n    if n < 2:\n        return n\n",
            "for (int i = 0; i < items.length; i++) {",
            "SELECT name, COUNT(*) FROM orders GROUP BY",
            "The capital of France is Paris, and the capital of Japan is",
            "Water boils at 100 degrees Celsius at sea level because",
            "Photosynthesis is the process by which plants",
            "Q: What is the tallest mountain on Earth?\nA:",
            "Alice: Are you coming to the party tonight?\nBob:",
            "Customer: My order arrived broken.\nAgent: I am sorry to hear that.",
            "Shopping list:\n1. Milk\n2. Eggs\n3.",
            "Top five tips for better sleep:\n- Keep a regular schedule\n-",
            "In 1969, the Apollo 11 mission",
            "Dear hiring manager, I am writing to apply for the position of",
            "The stock market fell sharply on Monday after");

    @Spec
    CommandSpec spec;
    @Option(names = "--reference", required = true, description = "The FP32 IR directory (its tokenizer encodes the prompts).")
    Path reference;
    @Option(names = "--model", required = true, description = "The compressed IR directory to measure.")
    Path model;
    @Option(names = "--max-tokens", defaultValue = "32", description = "Greedy tokens per prompt. Default: ${DEFAULT-VALUE}")
    int maxTokens;
    @Option(names = "--device", defaultValue = "CPU", description = "Default: ${DEFAULT-VALUE}")
    String device;
    @Option(names = "--property", description = "Extra compile property KEY=VALUE (repeatable); both models get the same.")
    Map<String, String> properties = new LinkedHashMap<>();
    @Option(names = "--exact", description = "Compile with INFERENCE_PRECISION_HINT=f32, KV_CACHE_PRECISION=f32, "
            + "DYNAMIC_QUANTIZATION_GROUP_SIZE=0 to isolate weight rounding (default: serving's properties).")
    boolean exact;
    @Option(names = "--prompts", description = "File with one prompt per line (blank lines skipped) instead of the built-in set.")
    Path promptsFile;

    @Override
    public Integer call() throws Exception {
        requireDirectory("reference", reference);
        requireDirectory("model", model);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        List<String> texts = prompts();
        int positions = ModelConfig.load(reference).contextLength();
        int[][] prompts;
        try (HfTokenizer tokenizer = HfTokenizer.load(reference)) {
            prompts = texts.stream().map(tokenizer::encode).toArray(int[][]::new);
        }
        for (int i = 0; i < prompts.length; i++) {
            if (prompts[i].length + maxTokens > positions) {
                throw new IllegalArgumentException("prompt " + (i + 1) + " is " + prompts[i].length + " tokens; with --max-tokens "
                        + maxTokens + " it exceeds the model's " + positions + " positions");
            }
        }
        Map<String, String> compile = new LinkedHashMap<>();
        compile.put("PERFORMANCE_HINT", "LATENCY"); // as serving compiles
        if (exact) { // f32 math and KV cache, no dynamic activation quantization: only weight rounding differs
            compile.put("INFERENCE_PRECISION_HINT", "f32");
            compile.put("KV_CACHE_PRECISION", "f32");
            compile.put("DYNAMIC_QUANTIZATION_GROUP_SIZE", "0");
        }
        compile.putAll(properties);

        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        FidelityReport r;
        long loaded;
        try (Core core = new Core();
             StatefulModel ref = StatefulModel.load(core, reference, device, compile);
             StatefulModel candidate = StatefulModel.load(core, model, device, compile)) {
            loaded = System.nanoTime();
            r = FidelityCheck.run(ref, candidate, prompts, maxTokens);
        }
        long end = System.nanoTime();

        out.printf("reference: %s%nmodel: %s%n", reference, model);
        out.printf("compile properties (both models): %s%n", compile);
        out.printf("prompts: %d, %d next-token distributions compared, %d greedy tokens per prompt%n",
                r.prompts(), r.positions(), r.newTokens());
        out.printf("mean KL(reference || model): %s nats%n", kl(r.meanKl()));
        out.printf("max KL: %s nats%n", kl(r.maxKl()));
        out.printf("top-1 agreement: %s of positions%n", percent(r.top1Agreement()));
        out.printf(Locale.ROOT, "worst top-1 regret: %.3g nats (reference's log-probability of the model's pick below its own)%n",
                r.maxTop1Regret());
        out.printf(Locale.ROOT, "reference's median top-1 margin: %.3g nats (small: near-ties that any noise flips)%n",
                r.medianReferenceMargin());
        out.printf(Locale.ROOT, "greedy agreement: common prefix mean %.1f, min %d of %d tokens%n",
                r.meanGreedyPrefix(), r.minGreedyPrefix(), r.newTokens());
        out.printf("full matches: %d/%d prompts%n", r.fullMatches(), r.prompts());
        out.printf(Locale.ROOT, "time: load %.1f s, compare %.1f s%n", (loaded - start) / 1e9, (end - loaded) / 1e9);
        out.println();
        out.printf("| model | mean KL | max KL | top-1 agreement | worst top-1 regret | reference median margin "
                + "| greedy agreement (mean/min of %d) | full matches |%n", r.newTokens());
        out.println("|---|---|---|---|---|---|---|---|");
        out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.3g | %.3g | %.1f / %d | %d/%d |%n", label(), kl(r.meanKl()), kl(r.maxKl()),
                percent(r.top1Agreement()), r.maxTop1Regret(), r.medianReferenceMargin(), r.meanGreedyPrefix(), r.minGreedyPrefix(), r.fullMatches(), r.prompts());
        return 0;
    }

    private List<String> prompts() throws Exception {
        if (promptsFile == null) {
            return PROMPTS;
        }
        if (!Files.isRegularFile(promptsFile)) {
            throw new IllegalArgumentException("prompts file " + promptsFile + " does not exist");
        }
        List<String> lines = Files.readAllLines(promptsFile, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("prompts file " + promptsFile + " has no prompts");
        }
        return lines;
    }

    private static void requireDirectory(String what, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(what + " directory " + dir + " does not exist");
        }
    }

    private String label() {
        Path name = model.toAbsolutePath().normalize().getFileName();
        return (name == null ? model.toString() : name.toString()) + (exact ? " (exact f32)" : "");
    }

    private static String kl(double nats) {
        return nats == 0 ? "0" : String.format(Locale.ROOT, "%.3g", nats);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}

package dev.ovserve.server.cli;

import dev.ovserve.models.GenerationConfig;
import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.StatefulSession;
import dev.ovserve.openvino.Core;
import dev.ovserve.scheduler.Sampler;
import dev.ovserve.scheduler.SamplingParams;
import dev.ovserve.tokenizer.HfTokenizer;
import dev.ovserve.tokenizer.IncrementalDetokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", description = "Generate text from a prompt, streaming it to stdout.")
final class GenerateCommand implements Callable<Integer> {

    static final class Prompt {
        @Option(names = "--prompt", required = true, description = "Prompt text.")
        String text;
        @Option(names = "--prompt-ids", required = true, split = ",", description = "Prompt as token ids: 1,2,3.")
        int[] ids;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "IR model directory (default: the built-in random distilgpt2-shaped model).")
    Path model;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;
    @Option(names = "--max-tokens", defaultValue = "64") int maxTokens;
    @Option(names = "--temperature", defaultValue = "0", description = "0 is greedy. Default: ${DEFAULT-VALUE}")
    double temperature;
    @Option(names = "--top-p", defaultValue = "1") double topP;
    @Option(names = "--seed") Long seed;
    @Option(names = "--device", defaultValue = "CPU") String device;
    @Option(names = "--ignore-eos", description = "Keep generating past the end-of-sequence token.")
    boolean ignoreEos;
    @Option(names = "--print-token-ids", description = "After the text, print the generated ids as one comma-separated line.")
    boolean printTokenIds;
    @Option(names = "--property", description = "Extra compile property KEY=VALUE (repeatable).")
    Map<String, String> properties = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1");
        }
        Path dir = model != null ? model : DefaultModel.ensure();
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist");
        }
        SamplingParams sampling = new SamplingParams(temperature, topP, seed);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        try (Core core = new Core();
             HfTokenizer tokenizer = HfTokenizer.load(dir);
             StatefulModel lm = StatefulModel.load(core, dir, device, properties);
             StatefulSession session = lm.newSession()) {
            int[] promptIds = prompt.ids != null ? prompt.ids : tokenizer.encode(prompt.text);
            if (promptIds.length == 0) {
                throw new IllegalArgumentException("the prompt encodes to no tokens");
            }
            for (int id : promptIds) {
                if (id < 0 || id >= lm.vocabSize()) {
                    throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary [0, " + lm.vocabSize() + ")");
                }
            }
            Set<Integer> eos = ignoreEos ? Set.of() : new HashSet<>(GenerationConfig.load(dir).eosTokenIds());
            Sampler sampler = new Sampler(sampling);
            IncrementalDetokenizer detokenizer = IncrementalDetokenizer.of(tokenizer, true);
            int vocab = lm.vocabSize();

            long requestStart = System.nanoTime();
            float[] logits = session.append(promptIds);
            int[] generated = new int[maxTokens];
            int count = 0;
            long firstToken = 0;
            int next = sampler.next(logits, (promptIds.length - 1) * vocab, vocab);
            while (true) {
                if (count == 0) {
                    firstToken = System.nanoTime();
                }
                generated[count++] = next;
                if (eos.contains(next)) {
                    break;
                }
                out.print(detokenizer.next(next));
                out.flush(); // stream each piece as it is produced
                if (count == maxTokens) {
                    break;
                }
                next = sampler.next(session.append(new int[] {next}), 0, vocab);
            }
            out.print(detokenizer.flush());
            out.println();
            long end = System.nanoTime();
            if (printTokenIds) {
                out.println(Arrays.stream(generated, 0, count).mapToObj(Integer::toString).collect(Collectors.joining(",")));
            }
            double ttftMs = (firstToken - requestStart) / 1e6;
            double decodeSeconds = (end - firstToken) / 1e9;
            err.printf("prompt_tokens=%d generated_tokens=%d ttft_ms=%.1f decode_tokens_per_s=%.1f device=%s load_s=%.2f total_s=%.2f%n",
                    promptIds.length, count, ttftMs, count > 1 ? (count - 1) / decodeSeconds : 0.0,
                    String.join(",", lm.executionDevices()), lm.loadTime().readSeconds() + lm.loadTime().compileSeconds(),
                    (end - start) / 1e9);
        }
        return 0;
    }
}

package dev.ovserve.server.cli;

import dev.ovserve.scheduler.engine.EngineError;
import dev.ovserve.scheduler.engine.GenerationRequest;
import dev.ovserve.scheduler.engine.OutputSink;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.SamplingParams;
import dev.ovserve.scheduler.sampling.StopStringMatcher;
import dev.ovserve.tokenizer.HfTokenizer;
import dev.ovserve.tokenizer.IncrementalDetokenizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", description = "Generate text from a prompt on the paged engine, streaming it to stdout.")
final class GenerateCommand implements Callable<Integer> {

    static final class Prompt {
        @Option(names = "--prompt", required = true, description = "Prompt text; repeat for several prompts, run in turn.")
        List<String> texts;
        @Option(names = "--prompt-ids", required = true,
                description = "Prompt as token ids: 1,2,3; repeat for several prompts, run in turn.")
        List<String> idLists;

        /** Each occurrence of the option is one prompt. */
        List<int[]> ids(HfTokenizer tokenizer) {
            List<int[]> prompts = new ArrayList<>();
            if (texts != null) {
                texts.forEach(t -> prompts.add(tokenizer.encode(t)));
            } else {
                idLists.forEach(l -> prompts.add(parseIds(l)));
            }
            return prompts;
        }

        static int[] parseIds(String list) {
            try {
                return java.util.Arrays.stream(list.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--prompt-ids takes comma-separated token ids, got '" + list + "'");
            }
        }
    }

    @Spec
    CommandSpec spec;
    @Mixin
    EngineOptions engine;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;
    @Option(names = "--max-tokens", defaultValue = "64") int maxTokens;
    @Option(names = "--temperature", defaultValue = "0", description = "0 is greedy. Default: ${DEFAULT-VALUE}")
    double temperature;
    @Option(names = "--top-p", defaultValue = "1") double topP;
    @Option(names = "--top-k", defaultValue = "0") int topK;
    @Option(names = "--seed") Long seed;
    @Option(names = "--stop", description = "Stop string (repeatable); not printed.")
    List<String> stops = new ArrayList<>();
    @Option(names = "--ignore-eos", description = "Keep generating past the end-of-sequence token.")
    boolean ignoreEos;
    @Option(names = "--print-token-ids", description = "After the text, print the generated ids as one comma-separated line.")
    boolean printTokenIds;

    /** Engine callbacks become queue items that the main thread prints. */
    private sealed interface Event permits TokenEvent, Done, Failed {}

    private record TokenEvent(int token) implements Event {}

    private record Done(FinishReason reason, Usage usage) implements Event {}

    private record Failed(EngineError error) implements Event {}

    @Override
    public Integer call() throws Exception {
        SamplingParams params = SamplingParams.builder().temperature(temperature).topP(topP).topK(topK).seed(seed)
                .maxTokens(maxTokens).ignoreEos(ignoreEos).stop(stops).build();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        try (HfTokenizer tokenizer = HfTokenizer.load(engine.modelDir()); EngineOptions.Loaded loaded = engine.load()) {
            List<int[]> prompts = prompt.ids(tokenizer);
            for (int i = 0; i < prompts.size(); i++) {
                run(loaded, tokenizer, "generate-" + i, prompts.get(i), params, out, err, start);
            }
        }
        return 0;
    }

    private void run(EngineOptions.Loaded loaded, HfTokenizer tokenizer, String requestId, int[] promptIds, SamplingParams params,
                     PrintWriter out, PrintWriter err, long start) throws InterruptedException {
        {
            BlockingQueue<Event> events = new LinkedBlockingQueue<>();
            FinishReason[] reason = new FinishReason[1];
            long submitted = System.nanoTime();
            loaded.engine().submit(new GenerationRequest(requestId, promptIds, params, new OutputSink() {
                @Override
                public void onToken(int index, SampledToken token) {
                    events.add(new TokenEvent(token.token()));
                }

                @Override
                public void onFinish(int index, FinishReason r) {
                    reason[0] = r;
                }

                @Override
                public void onComplete(Usage usage) {
                    events.add(new Done(reason[0], usage));
                }

                @Override
                public void onError(EngineError error) {
                    events.add(new Failed(error));
                }
            }));
            IncrementalDetokenizer detokenizer = IncrementalDetokenizer.of(tokenizer, true);
            StopStringMatcher matcher = new StopStringMatcher(stops);
            List<Integer> ids = new ArrayList<>();
            long firstToken = 0;
            FinishReason finish;
            Usage usage;
            while (true) {
                Event e = events.take();
                if (e instanceof Failed f) {
                    throw new IllegalArgumentException(f.error().message());
                }
                if (e instanceof Done d) {
                    finish = d.reason();
                    usage = d.usage();
                    break;
                }
                int token = ((TokenEvent) e).token();
                if (ids.isEmpty()) {
                    firstToken = System.nanoTime();
                }
                ids.add(token);
                if (!matcher.stopped()) {
                    StopStringMatcher.Result r = matcher.feed(detokenizer.next(token));
                    out.print(r.text());
                    out.flush(); // stream each piece as it is produced
                    if (r.stopped()) {
                        loaded.engine().cancel(requestId);
                    }
                }
            }
            if (!matcher.stopped()) {
                out.print(matcher.feed(detokenizer.flush()).text());
                out.print(matcher.flush().text());
            } else {
                finish = FinishReason.STOP;
            }
            out.println();
            long end = System.nanoTime();
            if (printTokenIds) {
                out.println(ids.stream().map(String::valueOf).collect(Collectors.joining(",")));
            }
            double decodeSeconds = (end - firstToken) / 1e9;
            err.printf("prompt_tokens=%d generated_tokens=%d finish_reason=%s ttft_ms=%.1f decode_tokens_per_s=%.1f device=%s kv_cache=%s load_s=%.2f total_s=%.2f%n",
                    promptIds.length, usage.completionTokens(), finish == null ? "?" : finish.wireName(),
                    ids.isEmpty() ? 0.0 : (firstToken - submitted) / 1e6,
                    ids.size() > 1 ? (ids.size() - 1) / decodeSeconds : 0.0,
                    String.join(",", loaded.runner().executionDevices()), loaded.runner().kvLayout().keyType(), loadSeconds(loaded),
                    (end - start) / 1e9);
        }
    }

    private static double loadSeconds(EngineOptions.Loaded loaded) {
        return loaded.runner().loadTimes().totalSeconds();
    }
}

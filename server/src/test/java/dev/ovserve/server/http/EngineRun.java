package dev.ovserve.server.http;

import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.scheduler.engine.EngineError;
import dev.ovserve.scheduler.engine.GenerationRequest;
import dev.ovserve.scheduler.engine.OutputSink;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Submits a prompt straight to the engine (no HTTP) and collects what it generates. */
final class EngineRun implements OutputSink {
    private final List<Integer> ids = new ArrayList<>();
    private volatile FinishReason reason;
    private final CompletableFuture<Usage> done = new CompletableFuture<>();

    /** Greedy ids for {@code prompt}, {@code maxTokens} of them (EOS ignored), straight from the engine. */
    static int[] greedy(Engine engine, int[] prompt, int maxTokens) throws Exception {
        EngineRun run = new EngineRun();
        engine.submit(new GenerationRequest("direct-" + UUID.randomUUID(), prompt,
                SamplingParams.builder().temperature(0).maxTokens(maxTokens).ignoreEos(true).build(), run));
        Usage usage = run.done.get(60, TimeUnit.SECONDS);
        if (usage.completionTokens() != maxTokens || run.reason != FinishReason.LENGTH) {
            throw new AssertionError("engine run ended early: " + usage + " " + run.reason);
        }
        synchronized (run) {
            return run.ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @Override
    public synchronized void onToken(int index, SampledToken token) {
        ids.add(token.token());
    }

    @Override
    public void onFinish(int index, FinishReason reason) {
        this.reason = reason;
    }

    @Override
    public void onComplete(Usage usage) {
        done.complete(usage);
    }

    @Override
    public void onError(EngineError error) {
        done.completeExceptionally(new AssertionError(error.kind() + ": " + error.message()));
    }
}

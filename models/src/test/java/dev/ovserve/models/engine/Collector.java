package dev.ovserve.models.engine;

import dev.ovserve.scheduler.engine.EngineError;
import dev.ovserve.scheduler.engine.OutputSink;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records one request's outputs for assertions. */
class Collector implements OutputSink {
    final List<List<Integer>> tokens = new ArrayList<>();
    final List<FinishReason> reasons = new ArrayList<>();
    final CompletableFuture<Usage> done = new CompletableFuture<>();
    final CountDownLatch firstTokens;
    volatile EngineError error;

    Collector(int n) {
        for (int i = 0; i < n; i++) {
            tokens.add(new ArrayList<>());
            reasons.add(null);
        }
        firstTokens = new CountDownLatch(3);
    }

    @Override
    public synchronized void onToken(int index, SampledToken token) {
        tokens.get(index).add(token.token());
        firstTokens.countDown();
    }

    @Override
    public synchronized void onFinish(int index, FinishReason reason) {
        reasons.set(index, reason);
    }

    @Override
    public void onComplete(Usage usage) {
        done.complete(usage);
    }

    @Override
    public void onError(EngineError e) {
        error = e;
        done.completeExceptionally(new IllegalStateException(e.kind() + ": " + e.message()));
    }

    Usage await() throws Exception {
        return done.get(120, TimeUnit.SECONDS);
    }

    synchronized int[] ids(int index) {
        return tokens.get(index).stream().mapToInt(Integer::intValue).toArray();
    }
}

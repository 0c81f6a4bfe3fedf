package dev.ovserve.scheduler.engine;

import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.SequenceChunk;
import dev.ovserve.scheduler.StepLogits;
import dev.ovserve.scheduler.kv.BlockManager;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.Sampler;
import dev.ovserve.scheduler.sampling.SamplingParams;
import dev.ovserve.scheduler.sampling.TokenHistory;
import dev.ovserve.scheduler.sampling.TokenStopCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The continuous-batching loop. One thread owns the scheduler, the block manager and the
 * runner; other threads only submit and cancel through a queue. Every step serves all running
 * sequences at once; a failure fails the requests it touched, never the loop.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Engine.class.getName());

    private sealed interface Command permits Submit, Cancel, FinishOne, Stop {}

    private record Submit(GenerationRequest request) implements Command {}

    private record Cancel(String requestId) implements Command {}

    private record FinishOne(String requestId, int index) implements Command {}

    private record Stop() implements Command {}

    private final ModelRunner runner;
    private final SchedulerConfig config;
    private final Set<Integer> eosTokenIds;
    private final Scheduler scheduler;
    private final LinkedBlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final Map<String, RequestState> requests = new HashMap<>();
    private final Map<RequestState, List<Sequence>> sequencesOf = new HashMap<>();
    /** Accepted but not yet admitted, counted across threads for admission control. */
    private final AtomicInteger queued = new AtomicInteger();
    private final Thread thread;
    private volatile EngineStats stats;
    private volatile boolean stopped;
    private long nextSequenceId;
    private long steps;
    private long promptTokensComputed;
    private long generatedTokens;

    public Engine(ModelRunner runner, SchedulerConfig config, Set<Integer> eosTokenIds) {
        int maxBlocksPerSequence = (config.maxModelLen() + runner.blockSize() - 1) / runner.blockSize();
        if (maxBlocksPerSequence > runner.numBlocks()) {
            throw new IllegalArgumentException("--max-model-len " + config.maxModelLen() + " needs " + maxBlocksPerSequence
                    + " KV blocks but the cache holds " + runner.numBlocks() + "; raise --kv-cache-size or lower --max-model-len");
        }
        this.runner = runner;
        this.config = config;
        this.eosTokenIds = Set.copyOf(eosTokenIds);
        this.scheduler = new Scheduler(config,
                new BlockManager(runner.numBlocks(), runner.blockSize(), config.enablePrefixCaching()));
        publishStats();
        this.thread = Thread.ofPlatform().name("ovserve-engine").daemon(true).start(this::loop);
    }

    /**
     * Queues a request. Refusals (waiting queue full, prompt too long, token ids outside the
     * vocabulary, engine stopped) arrive at once through {@code sink.onError} on this thread.
     */
    public void submit(GenerationRequest request) {
        EngineError invalid = validate(request);
        if (invalid != null) {
            request.sink().onError(invalid);
            return;
        }
        if (queued.incrementAndGet() > config.maxWaitingRequests()) {
            queued.decrementAndGet();
            request.sink().onError(new EngineError(EngineError.Kind.OVERLOADED,
                    "the server is overloaded: " + config.maxWaitingRequests() + " requests are already waiting"));
            return;
        }
        Submit submit = new Submit(request);
        commands.add(submit);
        // Shutdown may have drained the queue between the check above and the add: then
        // exactly one side (whoever removes the command) answers the request.
        if (stopped && commands.remove(submit)) {
            queued.decrementAndGet();
            request.sink().onError(new EngineError(EngineError.Kind.SHUTDOWN, "the engine is shutting down"));
        }
    }

    /** False once the loop has stopped (closed, or failed beyond recovery). */
    public boolean isRunning() {
        return !stopped && thread.isAlive();
    }

    /** Stops the request's generation at the next step and frees its KV blocks. Unknown ids are ignored. */
    public void cancel(String requestId) {
        commands.add(new Cancel(requestId));
    }

    /**
     * Ends completion {@code index} of a request with finish reason "stop" at the next step, e.g.
     * when its consumer saw a stop string; the request's other completions go on.
     */
    public void finishCompletion(String requestId, int index) {
        commands.add(new FinishOne(requestId, index));
    }

    public EngineStats stats() {
        return stats;
    }

    public SchedulerConfig config() {
        return config;
    }

    private EngineError validate(GenerationRequest r) {
        if (stopped) {
            return new EngineError(EngineError.Kind.SHUTDOWN, "the engine is shutting down");
        }
        int[] prompt = r.promptTokens();
        if (prompt.length >= config.maxModelLen()) {
            return new EngineError(EngineError.Kind.INVALID_REQUEST, "the prompt has " + prompt.length
                    + " tokens; this model's maximum context length is " + config.maxModelLen()
                    + " tokens including at least one generated token");
        }
        for (int t : prompt) {
            if (t < 0 || t >= runner.vocabSize()) {
                return new EngineError(EngineError.Kind.INVALID_REQUEST,
                        "token id " + t + " is outside the vocabulary [0, " + runner.vocabSize() + ")");
            }
        }
        try {
            r.params().checkVocabulary(runner.vocabSize());
        } catch (IllegalArgumentException e) {
            return new EngineError(EngineError.Kind.INVALID_REQUEST, e.getMessage());
        }
        return null;
    }

    private void loop() {
        try {
            while (true) {
                Command c = scheduler.idle() ? commands.poll(1, TimeUnit.SECONDS) : commands.poll();
                while (c != null) {
                    if (c instanceof Stop) {
                        shutdown();
                        return;
                    }
                    handle(c);
                    c = commands.poll();
                }
                if (!scheduler.idle()) {
                    step();
                } else {
                    publishStats(); // cancellations may have emptied the engine without a step
                }
            }
        } catch (InterruptedException e) {
            shutdown();
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "engine loop failed", t);
            shutdown();
        }
    }

    private void handle(Command c) {
        switch (c) {
            case Submit s -> accept(s.request());
            case Cancel k -> {
                RequestState r = requests.get(k.requestId());
                if (r != null) {
                    abort(r, FinishReason.ABORT);
                }
            }
            case FinishOne f -> {
                RequestState r = requests.get(f.requestId());
                if (r != null) {
                    for (Sequence seq : List.copyOf(sequencesOf.getOrDefault(r, List.of()))) {
                        if (seq.index == f.index() && seq.status != Sequence.Status.FINISHED) {
                            finish(seq, FinishReason.STOP);
                        }
                    }
                }
            }
            case Stop x -> throw new IllegalStateException("handled by the loop");
        }
    }

    private void accept(GenerationRequest request) {
        if (requests.containsKey(request.id())) {
            queued.decrementAndGet();
            request.sink().onError(new EngineError(EngineError.Kind.INVALID_REQUEST, "duplicate request id " + request.id()));
            return;
        }
        RequestState state = new RequestState(request);
        SamplingParams p = request.params();
        Sequence first = new Sequence(nextSequenceId++, state, 0, request.promptTokens(), new Sampler(p),
                TokenHistory.ofPrompt(request.promptTokens()));
        requests.put(request.id(), state);
        sequencesOf.put(state, new ArrayList<>(List.of(first)));
        scheduler.enqueue(first);
    }

    private void step() {
        ScheduledStep planned = scheduler.schedule();
        for (Sequence s : planned.unservable()) {
            fail(s.request, new EngineError(EngineError.Kind.INVALID_REQUEST, "the request needs more KV cache than the server has"));
        }
        for (Sequence s : planned.sequences()) {
            release(s.request);
        }
        if (planned.isEmpty()) {
            publishStats();
            return;
        }
        StepLogits logits;
        try {
            logits = runner.execute(planned.step());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "model step failed; failing its requests", e);
            for (Sequence s : planned.sequences()) {
                fail(s.request, new EngineError(EngineError.Kind.INTERNAL, "inference failed: " + e.getMessage()));
            }
            publishStats();
            return;
        }
        steps++;
        scheduler.completed(planned);
        List<SequenceChunk> chunks = planned.step().chunks();
        int row = 0;
        for (int i = 0; i < chunks.size(); i++) {
            Sequence s = planned.sequences().get(i);
            if (s.outputLength() == 0) {
                promptTokensComputed += chunks.get(i).tokens().length;
            }
            if (!chunks.get(i).sample()) {
                continue;
            }
            int r = row++;
            if (s.status != Sequence.Status.RUNNING || s.request.done) {
                continue;
            }
            try {
                if (!s.request.forked) {
                    forkSiblings(s, logits, r);
                } else {
                    sampleNext(s, logits, r);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "request " + s.request.id() + " failed", e);
                fail(s.request, new EngineError(EngineError.Kind.INTERNAL, "sampling failed: " + e.getMessage()));
            }
        }
        publishStats();
    }

    /** The prompt is done: the other n - 1 completions start from the same logits and blocks. */
    private void forkSiblings(Sequence parent, StepLogits logits, int row) {
        RequestState r = parent.request;
        r.forked = true;
        List<Sequence> siblings = sequencesOf.get(r);
        for (int i = 1; i < r.request().params().n(); i++) {
            Sequence child = parent.fork(nextSequenceId++, i, parent.sampler.forSibling(i));
            scheduler.addForked(parent, child);
            siblings.add(child);
        }
        for (Sequence s : List.copyOf(siblings)) {
            if (!r.done && s.status == Sequence.Status.RUNNING) {
                sampleNext(s, logits, row);
            }
        }
    }

    private void sampleNext(Sequence s, StepLogits logits, int row) {
        RequestState r = s.request;
        SampledToken token = s.sampler.sample(logits.logits(), logits.offset(row), logits.vocabSize(), s.history);
        s.append(token.token());
        r.completionTokens++;
        generatedTokens++;
        SamplingParams p = r.request().params();
        FinishReason reason = TokenStopCheck.check(token.token(), s.outputLength(), s.length(), p, eosTokenIds, config.maxModelLen());
        if (!TokenStopCheck.isStopToken(token.token(), p, eosTokenIds)) {
            if (!deliver(r, () -> r.request().sink().onToken(s.index, token))) {
                return;
            }
        }
        if (reason != null) {
            finish(s, reason);
        }
    }

    private void finish(Sequence s, FinishReason reason) {
        scheduler.remove(s);
        RequestState r = s.request;
        if (!deliver(r, () -> r.request().sink().onFinish(s.index, reason))) {
            return;
        }
        if (r.finishOne()) {
            complete(r);
        }
    }

    private void complete(RequestState r) {
        r.done = true;
        requests.remove(r.id());
        sequencesOf.remove(r);
        deliver(r, () -> r.request().sink().onComplete(r.usage()));
    }

    /** Cancellation: every unfinished completion ends with {@code reason} and its blocks are freed. */
    private void abort(RequestState r, FinishReason reason) {
        if (r.done) {
            return;
        }
        release(r);
        for (Sequence s : sequencesOf.getOrDefault(r, List.of())) {
            if (s.status != Sequence.Status.FINISHED) {
                scheduler.remove(s);
                safely(() -> r.request().sink().onFinish(s.index, reason));
            }
        }
        r.done = true;
        requests.remove(r.id());
        sequencesOf.remove(r);
        safely(() -> r.request().sink().onComplete(r.usage()));
    }

    private void fail(RequestState r, EngineError error) {
        if (r.done) {
            return;
        }
        release(r);
        for (Sequence s : sequencesOf.getOrDefault(r, List.of())) {
            scheduler.remove(s);
        }
        r.done = true;
        requests.remove(r.id());
        sequencesOf.remove(r);
        safely(() -> r.request().sink().onError(error));
    }

    /** Admission, or leaving before it, gives the request's waiting-queue place back (once). */
    private void release(RequestState r) {
        if (!r.admitted) {
            r.admitted = true;
            queued.decrementAndGet();
        }
    }

    /** Runs sink code; if it throws, the request is cancelled (a broken client must not hurt others). */
    private boolean deliver(RequestState r, Runnable call) {
        try {
            call.run();
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "output sink of " + r.id() + " failed; cancelling it", e);
            abort(r, FinishReason.ABORT);
            return false;
        }
    }

    private static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "output sink failed after the request ended", e);
        }
    }

    private void publishStats() {
        BlockManager b = scheduler.blocks();
        stats = new EngineStats(scheduler.runningCount(), scheduler.waitingCount(), b.usedBlocks(), b.freeBlocks(),
                b.totalBlocks(), b.hitRate(), scheduler.preemptions(), steps, promptTokensComputed, generatedTokens);
    }

    private void shutdown() {
        stopped = true;
        for (RequestState r : List.copyOf(requests.values())) {
            fail(r, new EngineError(EngineError.Kind.SHUTDOWN, "the engine stopped"));
        }
        Command c;
        while ((c = commands.poll()) != null) {
            if (c instanceof Submit s) {
                safely(() -> s.request().sink().onError(new EngineError(EngineError.Kind.SHUTDOWN, "the engine stopped")));
            }
        }
        publishStats();
    }

    /** Stops the loop; requests still in flight end with a SHUTDOWN error. The runner stays open. */
    @Override
    public void close() {
        stopped = true;
        commands.add(new Stop());
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

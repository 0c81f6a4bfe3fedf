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
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The continuous-batching loop. One thread owns the schedulers, the block managers and the
 * runners; other threads only submit and cancel through a queue. Every step serves all running
 * sequences at once; a failure fails the requests it touched, never the loop.
 *
 * <p>Each device has a lane: a runner with its own KV pool and scheduler. {@link #handOff} makes
 * a new lane the one that takes new sequences; the old lane finishes what it is running (KV
 * caches do not move between devices), sends anything waiting or preempted to the new lane,
 * and is retired once empty.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Engine.class.getName());

    private sealed interface Command permits Submit, Cancel, FinishOne, HandOff, Stop {}

    private record Submit(GenerationRequest request) implements Command {}

    private record Cancel(String requestId) implements Command {}

    private record FinishOne(String requestId, int index) implements Command {}

    private record HandOff(ModelRunner runner, String device, Consumer<ModelRunner> retire) implements Command {}

    private record Stop() implements Command {}

    /** One device: its runner, KV pool and scheduler, and what it has done. */
    private static final class Lane {
        final ModelRunner runner;
        final String device;
        final Scheduler scheduler;
        /** Called with the runner once the lane has been handed off and drained. */
        Consumer<ModelRunner> retire;
        long steps;
        long generated;

        Lane(ModelRunner runner, String device, SchedulerConfig config) {
            this.runner = runner;
            this.device = device;
            this.scheduler = new Scheduler(config, new BlockManager(runner.numBlocks(), runner.blockSize(), config.enablePrefixCaching()));
        }
    }

    private final int vocabSize;
    private final SchedulerConfig config;
    private final Set<Integer> eosTokenIds;
    private Lane serving;
    /** Lanes handed off, finishing their running sequences; oldest first. */
    private final List<Lane> draining = new ArrayList<>();
    /** Lanes drained and released, kept for their final figures. */
    private final List<Lane> retired = new ArrayList<>();
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
    /** The sequences of the step being run, for failing exactly them if it throws. */
    private List<Sequence> stepping;

    public Engine(ModelRunner runner, SchedulerConfig config, Set<Integer> eosTokenIds) {
        this(runner, "model", config, eosTokenIds);
    }

    /** {@code device} names the runner's device in logs and stats. */
    public Engine(ModelRunner runner, String device, SchedulerConfig config, Set<Integer> eosTokenIds) {
        String unfit = unfit(runner, config);
        if (unfit != null) {
            throw new IllegalArgumentException(unfit);
        }
        this.vocabSize = runner.vocabSize();
        this.config = config;
        this.eosTokenIds = Set.copyOf(eosTokenIds);
        this.serving = new Lane(runner, device, config);
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

    /**
     * From the next step on, new sequences run on {@code runner} (the same model compiled for
     * {@code device}, with its own KV pool); sequences running elsewhere finish there, and each
     * replaced runner goes to {@code retire} on the engine thread once it holds nothing. A
     * runner that cannot serve this engine (another vocabulary, too few blocks) is logged and
     * given to {@code retire} at once.
     */
    public void handOff(ModelRunner runner, String device, Consumer<ModelRunner> retire) {
        HandOff h = new HandOff(runner, device, retire);
        commands.add(h);
        if (stopped && commands.remove(h)) { // as in submit: whoever removes the command answers it
            safely(() -> retire.accept(runner));
        }
    }

    public EngineStats stats() {
        return stats;
    }

    public SchedulerConfig config() {
        return config;
    }

    /** Logits per row: the model's vocabulary, which may be larger than its tokenizer's. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The model's end-of-sequence ids. */
    public Set<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    private static String unfit(ModelRunner runner, SchedulerConfig config) {
        int maxBlocksPerSequence = (config.maxModelLen() + runner.blockSize() - 1) / runner.blockSize();
        if (maxBlocksPerSequence > runner.numBlocks()) {
            return "--max-model-len " + config.maxModelLen() + " needs " + maxBlocksPerSequence
                    + " KV blocks but the cache holds " + runner.numBlocks() + "; raise --kv-cache-size or lower --max-model-len";
        }
        return null;
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
            if (t < 0 || t >= vocabSize) {
                return new EngineError(EngineError.Kind.INVALID_REQUEST,
                        "token id " + t + " is outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        try {
            r.params().checkVocabulary(vocabSize);
        } catch (IllegalArgumentException e) {
            return new EngineError(EngineError.Kind.INVALID_REQUEST, e.getMessage());
        }
        return null;
    }

    private void loop() {
        try {
            while (true) {
                Command c = idle() ? commands.poll(1, TimeUnit.SECONDS) : commands.poll();
                while (c != null) {
                    if (c instanceof Stop) {
                        shutdown();
                        return;
                    }
                    handleSafely(c);
                    c = commands.poll();
                }
                if (!idle()) {
                    for (Lane lane : lanes()) {
                        if (!lane.scheduler.idle()) {
                            stepSafely(lane);
                        }
                    }
                    settleDraining();
                } else {
                    publishStats(); // cancellations may have emptied the engine without a step
                }
            }
        } catch (InterruptedException e) {
            shutdown();
        } catch (Throwable t) {
            // Only a fatal VM error gets here (see isFatal): the process must restart, not limp on.
            LOG.log(Level.SEVERE, "engine loop failed", t);
            stopped = true;
            try {
                shutdown();
            } catch (Throwable ignored) {
                // out of memory: answering the requests may fail too; the process exits anyway
            }
            throw t;
        }
    }

    /**
     * Out of memory (or another broken-VM error) cannot be survived by failing one request: the
     * loop stops and the error reaches the thread's uncaught-exception handler (the server's
     * exits the process so a supervisor restarts it). Anything else fails only what it touched.
     */
    private static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    private void handleSafely(Command c) {
        try {
            handle(c);
        } catch (Throwable t) {
            if (isFatal(t)) {
                throw t;
            }
            LOG.log(Level.SEVERE, "engine command " + c.getClass().getSimpleName() + " failed", t);
            if (c instanceof Submit s) {
                RequestState r = requests.get(s.request().id());
                if (r != null && r.request() == s.request()) {
                    fail(r, internalError());
                } else {
                    queued.decrementAndGet();
                    safely(() -> s.request().sink().onError(internalError()));
                }
            }
        }
    }

    /** A step that throws (even an {@link Error}) fails the requests it was serving; the engine goes on. */
    private void stepSafely(Lane lane) {
        try {
            step(lane);
        } catch (Throwable t) {
            if (isFatal(t)) {
                throw t;
            }
            LOG.log(Level.SEVERE, "engine step on " + lane.device + " failed; failing the requests it touched", t);
            List<RequestState> touched = new ArrayList<>();
            if (stepping != null) {
                stepping.forEach(s -> touched.add(s.request));
            } else { // failed while planning: everything on the lane may be half-scheduled
                sequencesOf.forEach((r, seqs) -> {
                    if (seqs.stream().anyMatch(s -> s.owner == lane.scheduler)) {
                        touched.add(r);
                    }
                });
            }
            for (RequestState r : touched) {
                fail(r, internalError());
            }
            publishStats();
        } finally {
            stepping = null;
        }
    }

    private static EngineError internalError() {
        return new EngineError(EngineError.Kind.INTERNAL, "the server hit an internal error while generating this request");
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
            case HandOff h -> handOff(h);
            case Stop x -> throw new IllegalStateException("handled by the loop");
        }
    }

    private void handOff(HandOff h) {
        String unfit = h.runner().vocabSize() != vocabSize
                ? "its vocabulary has " + h.runner().vocabSize() + " tokens, not " + vocabSize
                : unfit(h.runner(), config);
        if (unfit != null) {
            LOG.warning("not handing off to " + h.device() + ": " + unfit + "; staying on " + serving.device);
            safely(() -> h.retire().accept(h.runner()));
            return;
        }
        Lane old = serving;
        old.retire = h.retire();
        serving = new Lane(h.runner(), h.device(), config);
        draining.add(old);
        LOG.info("hand-off: new sequences now run on " + h.device() + "; " + old.scheduler.runningCount()
                + " running sequences finish on " + old.device);
        settleDraining();
        publishStats();
    }

    /** Draining lanes pass on whatever waits (new or preempted) and are retired once empty. */
    private void settleDraining() {
        for (Lane lane : List.copyOf(draining)) {
            serving.scheduler.enqueueFirst(lane.scheduler.takeWaiting());
            if (lane.scheduler.idle()) {
                draining.remove(lane);
                retired.add(lane);
                LOG.info(lane.device + " drained after the hand-off to " + serving.device + "; releasing it");
                safely(() -> lane.retire.accept(lane.runner));
            }
        }
    }

    /** Draining lanes first (their sequences are older), then the serving one. */
    private List<Lane> lanes() {
        List<Lane> all = new ArrayList<>(draining);
        all.add(serving);
        return all;
    }

    private boolean idle() {
        return draining.isEmpty() && serving.scheduler.idle();
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
        serving.scheduler.enqueue(first);
    }

    private void step(Lane lane) {
        Scheduler scheduler = lane.scheduler;
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
        stepping = planned.sequences();
        StepLogits logits;
        try {
            logits = lane.runner.execute(planned.step());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "model step failed; failing its requests", e);
            for (Sequence s : planned.sequences()) {
                fail(s.request, new EngineError(EngineError.Kind.INTERNAL, "inference failed: " + e.getMessage()));
            }
            publishStats();
            return;
        }
        steps++;
        lane.steps++;
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
                long before = generatedTokens;
                if (!s.request.forked) {
                    forkSiblings(s, logits, r);
                } else {
                    sampleNext(s, logits, r);
                }
                lane.generated += generatedTokens - before;
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
            parent.owner.addForked(parent, child);
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
        boolean endToken = s.sampler.endTokenTaken();
        if (s.sampler.constraintEnded()) {
            reason = FinishReason.STOP; // the constrained output is complete, whatever the length
        }
        if (!endToken && !TokenStopCheck.isStopToken(token.token(), p, eosTokenIds)) {
            if (!deliver(r, () -> r.request().sink().onToken(s.index, token))) {
                return;
            }
        }
        if (reason != null) {
            finish(s, reason);
        }
    }

    private void finish(Sequence s, FinishReason reason) {
        s.owner.remove(s);
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
                s.owner.remove(s);
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
            s.owner.remove(s);
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
        int running = 0;
        int waiting = 0;
        int used = 0;
        int free = 0;
        int total = 0;
        long preemptions = 0;
        long prefixQueried = 0;
        long prefixHit = 0;
        List<EngineStats.PoolStats> pools = new ArrayList<>();
        for (Lane lane : lanes().reversed()) {
            Scheduler sc = lane.scheduler;
            BlockManager b = sc.blocks();
            prefixQueried += b.prefixQueryTokens();
            prefixHit += b.prefixHitTokens();
            running += sc.runningCount();
            waiting += sc.waitingCount();
            used += b.usedBlocks();
            free += b.freeBlocks();
            total += b.totalBlocks();
            preemptions += sc.preemptions();
            pools.add(poolStats(lane, lane == serving ? EngineStats.PoolStats.State.SERVING : EngineStats.PoolStats.State.DRAINING));
        }
        for (Lane lane : retired) {
            pools.add(poolStats(lane, EngineStats.PoolStats.State.RETIRED));
            prefixQueried += lane.scheduler.blocks().prefixQueryTokens();
            prefixHit += lane.scheduler.blocks().prefixHitTokens();
        }
        stats = new EngineStats(running, waiting, used, free, total, serving.scheduler.blocks().hitRate(), preemptions, steps,
                promptTokensComputed, generatedTokens, serving.device, pools, serving.scheduler.blocks().blockSize(), prefixQueried,
                prefixHit);
    }

    private static EngineStats.PoolStats poolStats(Lane lane, EngineStats.PoolStats.State state) {
        Scheduler sc = lane.scheduler;
        return new EngineStats.PoolStats(lane.device, state, sc.runningCount(), sc.waitingCount(), sc.blocks().usedBlocks(),
                sc.blocks().totalBlocks(), lane.steps, lane.generated);
    }

    private void shutdown() {
        stopped = true;
        for (RequestState r : List.copyOf(requests.values())) {
            fail(r, new EngineError(EngineError.Kind.SHUTDOWN, "the engine stopped"));
        }
        settleDraining();
        Command c;
        while ((c = commands.poll()) != null) {
            if (c instanceof Submit s) {
                safely(() -> s.request().sink().onError(new EngineError(EngineError.Kind.SHUTDOWN, "the engine stopped")));
            } else if (c instanceof HandOff h) {
                safely(() -> h.retire().accept(h.runner()));
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

package dev.ovserve.scheduler.engine;

import dev.ovserve.scheduler.sampling.Sampler;
import dev.ovserve.scheduler.sampling.TokenHistory;
import java.util.Arrays;

/**
 * One token stream being generated: the prompt followed by its outputs, and how many of those
 * tokens already have their keys and values in the KV cache. Owned by the engine thread.
 */
final class Sequence {
    enum Status { WAITING, RUNNING, FINISHED }

    final long id;
    final RequestState request;
    /** Which of the request's n completions this is. */
    final int index;
    final Sampler sampler;
    final TokenHistory history;
    private int[] tokens;
    private int length;
    final int promptLength;
    int computed;
    Status status = Status.WAITING;
    /** Order of (re)admission; the newest running sequence is the first to be preempted. */
    long admittedAt;
    /** The scheduler (so the device) that holds it; set when it is queued. */
    Scheduler owner;

    Sequence(long id, RequestState request, int index, int[] prompt, Sampler sampler, TokenHistory history) {
        this.id = id;
        this.request = request;
        this.index = index;
        this.sampler = sampler;
        this.history = history;
        this.tokens = Arrays.copyOf(prompt, Math.max(16, prompt.length * 2));
        this.length = prompt.length;
        this.promptLength = prompt.length;
    }

    /** A sibling sharing everything computed so far, for n > 1. */
    Sequence fork(long childId, int childIndex, Sampler childSampler) {
        Sequence child = new Sequence(childId, request, childIndex, Arrays.copyOf(tokens, length), childSampler,
                history.copy());
        child.computed = computed;
        child.status = status;
        child.admittedAt = admittedAt;
        return child;
    }

    void append(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[length++] = token;
        history.add(token);
    }

    int length() {
        return length;
    }

    int outputLength() {
        return length - promptLength;
    }

    /** Tokens fed to the model but not yet in the cache: 1 while decoding, more while prefilling. */
    int pending() {
        return length - computed;
    }

    int[] tokens(int from, int to) {
        return Arrays.copyOfRange(tokens, from, to);
    }

    /** The backing array, valid up to {@link #length()}; read-only for callers. */
    int[] rawTokens() {
        return tokens;
    }

    int[] allTokens() {
        return Arrays.copyOf(tokens, length);
    }

    /** Preemption by recompute: the cache is gone, everything will be fed again. */
    void resetComputed() {
        computed = 0;
    }

    @Override
    public String toString() {
        return "seq " + id + " (" + request.id() + "#" + index + ", " + length + " tokens, " + computed + " computed, " + status + ")";
    }
}

package dev.ovserve.server.http;

import dev.ovserve.scheduler.sampling.SamplingParams;
import dev.ovserve.server.api.ApiException;
import dev.ovserve.server.api.SamplingOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a request may ask for, checked before anything is tokenized, allocated or queued, and the
 * fair share of pending work each client may hold. A request over a per-request bound gets a 400
 * naming the bound's flag; a client over its share gets a 429 and costs nothing more.
 *
 * <p>Cost is tokens: a prompt's length plus max_tokens for each of its n choices (the engine's
 * count-based waiting queue, {@code --max-waiting-requests}, stays as a backstop).
 * A client (one connection) is admitted while everything pending fits {@code --max-pending-tokens}
 * or its own pending work stays within an equal share among the clients holding work; so once one
 * client holds the whole budget, the next client still gets in and the first does not.
 */
final class Admission {
    private final Limits limits;
    /** Characters no prompt of at most max-model-len tokens can exceed (see {@link #promptCharBound}). */
    private final long maxPromptChars;
    /** Characters one token can cover at most (twice the longest vocabulary entry, see {@link #promptCharBound}). */
    private final long charsPerToken;
    private final Map<Object, Long> held = new HashMap<>();
    private long total;

    Admission(Limits limits, int maxModelLen, int longestTokenChars) {
        this.limits = limits;
        this.maxPromptChars = promptCharBound(maxModelLen, longestTokenChars);
        this.charsPerToken = promptCharBound(1, longestTokenChars);
    }

    /**
     * A token covers at most as many characters as the longest vocabulary entry (byte-level
     * entries spell one character per byte, so they never cover more characters than they spell);
     * twice that, for normalizers that drop characters, bounds what fits the context.
     */
    static long promptCharBound(int maxModelLen, int longestTokenChars) {
        return 2L * maxModelLen * Math.max(1, longestTokenChars);
    }

    Limits limits() {
        return limits;
    }

    /** Prompts, choices, stop strings and logit_bias entries: the request's shape, before tokenizing. */
    void checkShape(int prompts, SamplingOptions s) {
        bound(prompts, limits.maxPromptsPerRequest(), "prompt", "prompts", "--max-prompts-per-request");
        bound((long) prompts * s.n(), limits.maxChoicesPerRequest(), "n", "choices (prompts × n)", "--max-choices-per-request");
        bound(s.stop().size(), limits.maxStopStrings(), "stop", "stop strings", "--max-stop-strings");
        for (String stop : s.stop()) {
            bound(stop.length(), limits.maxStopStringChars(), "stop", "characters in a stop string", "--max-stop-string-chars");
        }
        bound(s.logitBias().size(), limits.maxLogitBias(), "logit_bias", "logit_bias entries", "--max-logit-bias");
    }

    /** Text is refused by its length, before tokenizing, when no tokenization could make it fit. */
    void checkPromptText(String param, long chars, long totalChars) {
        if (chars > maxPromptChars) {
            throw ApiException.contextLengthExceeded(param, "The prompt has " + chars + " characters; no prompt that long fits "
                    + "this model's context (at most " + maxPromptChars + " characters could).");
        }
        long bound = limits.maxPromptTokensPerRequest() * charsPerToken;
        if (totalChars > bound) {
            throw overLimit("prompt", totalChars, bound, "characters of prompt text", "--max-prompt-tokens-per-request");
        }
    }

    /** Prompt tokens and max_tokens × choices over the whole request; returns its cost. */
    long checkTokens(List<int[]> prompts, List<SamplingParams> params) {
        long promptTokens = 0;
        long outputTokens = 0;
        long cost = 0;
        for (int i = 0; i < prompts.size(); i++) {
            SamplingParams p = params.get(i);
            long out = (long) p.maxTokens() * p.n();
            promptTokens += prompts.get(i).length;
            outputTokens += out;
            cost += prompts.get(i).length + out;
        }
        bound(promptTokens, limits.maxPromptTokensPerRequest(), "prompt", "prompt tokens", "--max-prompt-tokens-per-request");
        bound(outputTokens, limits.maxOutputTokensPerRequest(), "max_tokens", "tokens to generate (max_tokens × choices)",
                "--max-output-tokens-per-request");
        if (cost > limits.maxPendingTokens()) {
            throw overLimit("max_tokens", cost, limits.maxPendingTokens(), "tokens of work (prompt + max_tokens × n)",
                    "--max-pending-tokens");
        }
        return cost;
    }

    /** Takes {@code cost} from {@code client}'s share, or answers 429 (nothing is held then). */
    synchronized Ticket acquire(Object client, long cost) {
        long mine = held.getOrDefault(client, 0L);
        int clients = held.size() + (mine == 0 ? 1 : 0);
        boolean fits = total + cost <= limits.maxPendingTokens() || mine + cost <= limits.maxPendingTokens() / clients;
        if (!fits) {
            throw new ApiException(429, "rate_limit_error", null, "overloaded", "The server is busy: this connection already "
                    + "has " + mine + " tokens of work pending, its fair share while " + clients
                    + " clients wait. Retry after a response completes.");
        }
        held.merge(client, cost, Long::sum);
        total += cost;
        return new Ticket(client, cost);
    }

    /** Tokens of work accepted and not finished. */
    synchronized long pending() {
        return total;
    }

    private synchronized void release(Object client, long cost) {
        total -= cost;
        held.computeIfPresent(client, (c, v) -> v - cost == 0 ? null : v - cost);
    }

    /** A client's claim on the budget; released once, when its request ends however it ends. */
    final class Ticket {
        private final Object client;
        private final long cost;
        private boolean released;

        private Ticket(Object client, long cost) {
            this.client = client;
            this.cost = cost;
        }

        /** Event-loop confined: called by the connection that acquired it. */
        void release() {
            if (!released) {
                released = true;
                Admission.this.release(client, cost);
            }
        }
    }

    private static void bound(long value, long max, String param, String what, String flag) {
        if (value > max) {
            throw overLimit(param, value, max, what, flag);
        }
    }

    private static ApiException overLimit(String param, long value, long max, String what, String flag) {
        return new ApiException(400, ApiException.INVALID_REQUEST, param, "limit_exceeded",
                "This request has " + value + " " + what + "; this server's limit is " + max + " (" + flag + ").");
    }
}

package dev.ovserve.server.http;

/**
 * Everything a client may ask of the server, bounded before anything is allocated or queued.
 * Every per-request bound is a {@code serve} flag; a request over one gets a 400 naming it.
 *
 * @param maxBodyBytes           largest request body accepted (413 beyond)
 * @param retryAfterSeconds      what 429/503 responses tell clients to wait
 * @param maxPromptsPerRequest   prompts in one completions request
 * @param maxChoicesPerRequest   prompts × n: completions one request generates
 * @param maxPromptTokensPerRequest prompt tokens summed over a request's prompts
 * @param maxOutputTokensPerRequest max_tokens × choices: tokens one request may generate
 * @param maxStopStrings         entries of {@code stop}
 * @param maxStopStringChars     characters of one stop string
 * @param maxLogitBias           entries of {@code logit_bias}
 * @param maxPendingTokens       cost (prompt + max output tokens) of all requests accepted and not finished;
 *                               each client (connection) may hold its fair share of it while others wait
 * @param maxConnections         open connections; more are accepted and closed at once
 * @param idleTimeoutSeconds     a connection with no request in progress is closed after this
 * @param headerTimeoutSeconds   a request's headers must arrive within this of its first byte
 * @param bodyTimeoutSeconds     a request's whole body must arrive within this of its first byte
 * @param maxPipelined           requests a client may pipeline behind one in progress; the next gets a 429 and the close
 * @param workerThreads          threads parsing, rendering chat templates and tokenizing (0: half the cores, at least one)
 * @param maxQueuedParses        requests waiting for a worker; more get a 429
 */
public record Limits(int maxBodyBytes, int retryAfterSeconds, int maxPromptsPerRequest, int maxChoicesPerRequest,
                     int maxPromptTokensPerRequest, int maxOutputTokensPerRequest, int maxStopStrings, int maxStopStringChars,
                     int maxLogitBias, long maxPendingTokens, int maxConnections, int idleTimeoutSeconds,
                     int headerTimeoutSeconds, int bodyTimeoutSeconds, int maxPipelined, int workerThreads,
                     int maxQueuedParses) {
    public static final Limits DEFAULT = new Limits(4 << 20, 1);

    public Limits {
        if (maxBodyBytes < 1 || maxPromptsPerRequest < 1 || maxChoicesPerRequest < 1 || maxPromptTokensPerRequest < 1
                || maxOutputTokensPerRequest < 1 || maxStopStrings < 0 || maxStopStringChars < 1 || maxLogitBias < 0
                || maxPendingTokens < 1 || maxConnections < 1 || idleTimeoutSeconds < 1 || headerTimeoutSeconds < 1
                || bodyTimeoutSeconds < 1 || maxPipelined < 0 || workerThreads < 0 || maxQueuedParses < 1) {
            throw new IllegalArgumentException("limits must be positive: " + this);
        }
    }

    /** The defaults with this body limit and Retry-After. */
    public Limits(int maxBodyBytes, int retryAfterSeconds) {
        this(maxBodyBytes, retryAfterSeconds, 128, 256, 262_144, 262_144, 16, 1024, 1024, 4_194_304L, 1000, 60, 10, 60, 16, 0,
                256);
    }

    public Limits withRequestBounds(int prompts, int choices, int promptTokens, int outputTokens) {
        return new Limits(maxBodyBytes, retryAfterSeconds, prompts, choices, promptTokens, outputTokens, maxStopStrings,
                maxStopStringChars, maxLogitBias, maxPendingTokens, maxConnections, idleTimeoutSeconds, headerTimeoutSeconds,
                bodyTimeoutSeconds, maxPipelined, workerThreads, maxQueuedParses);
    }

    public Limits withSamplingBounds(int stopStrings, int stopStringChars, int logitBias) {
        return new Limits(maxBodyBytes, retryAfterSeconds, maxPromptsPerRequest, maxChoicesPerRequest, maxPromptTokensPerRequest,
                maxOutputTokensPerRequest, stopStrings, stopStringChars, logitBias, maxPendingTokens, maxConnections,
                idleTimeoutSeconds, headerTimeoutSeconds, bodyTimeoutSeconds, maxPipelined, workerThreads, maxQueuedParses);
    }

    public Limits withPendingTokens(long pendingTokens) {
        return new Limits(maxBodyBytes, retryAfterSeconds, maxPromptsPerRequest, maxChoicesPerRequest, maxPromptTokensPerRequest,
                maxOutputTokensPerRequest, maxStopStrings, maxStopStringChars, maxLogitBias, pendingTokens, maxConnections,
                idleTimeoutSeconds, headerTimeoutSeconds, bodyTimeoutSeconds, maxPipelined, workerThreads, maxQueuedParses);
    }

    public Limits withConnections(int connections, int idleSeconds, int headerSeconds, int bodySeconds, int pipelined) {
        return new Limits(maxBodyBytes, retryAfterSeconds, maxPromptsPerRequest, maxChoicesPerRequest, maxPromptTokensPerRequest,
                maxOutputTokensPerRequest, maxStopStrings, maxStopStringChars, maxLogitBias, maxPendingTokens, connections,
                idleSeconds, headerSeconds, bodySeconds, pipelined, workerThreads, maxQueuedParses);
    }

    public Limits withWorkers(int threads, int queuedParses) {
        return new Limits(maxBodyBytes, retryAfterSeconds, maxPromptsPerRequest, maxChoicesPerRequest, maxPromptTokensPerRequest,
                maxOutputTokensPerRequest, maxStopStrings, maxStopStringChars, maxLogitBias, maxPendingTokens, maxConnections,
                idleTimeoutSeconds, headerTimeoutSeconds, bodyTimeoutSeconds, maxPipelined, threads, queuedParses);
    }

    /** Worker threads to start: the flag, or half the cores, so that parsing junk never takes every core from the engine. */
    int workers() {
        return workerThreads > 0 ? workerThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}

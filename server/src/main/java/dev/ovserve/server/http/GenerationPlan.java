package dev.ovserve.server.http;

import dev.ovserve.scheduler.sampling.SamplingParams;
import java.util.List;

/**
 * A validated generation request, ready for the engine: one engine request per prompt, each
 * with {@code n} choices, and its own parameters (max_tokens is cut to each prompt's room) (choice index = prompt index × n + completion index).
 *
 * @param prefixes text put before each prompt's choices (the prompt itself with echo)
 * @param cacheSalt the request's {@code cache_salt}, or null
 */
record GenerationPlan(List<int[]> prompts, List<String> prefixes, List<SamplingParams> params, boolean stream,
                      boolean includeUsage, WireFormat format, String cacheSalt) {
    /** Choices per prompt: the same for every prompt. */
    int n() {
        return params.getFirst().n();
    }
}

package dev.ovserve.scheduler.engine;

import dev.ovserve.scheduler.sampling.SamplingParams;

/**
 * What a client asks the engine for: a tokenized prompt, sampling parameters, and where outputs go.
 *
 * @param client    who asked (an API key's or a connection's identity): waiting sequences are
 *                  admitted fairly across clients, first come first served within one
 * @param cacheSalt prefix-cache blocks are shared only between requests with equal salts; null
 *                  shares with every other request without a salt
 */
public record GenerationRequest(String id, int[] promptTokens, SamplingParams params, OutputSink sink, String client,
                                String cacheSalt) {
    public GenerationRequest {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        promptTokens = promptTokens.clone();
        client = client == null ? "" : client;
    }

    /** One anonymous client, no salt. */
    public GenerationRequest(String id, int[] promptTokens, SamplingParams params, OutputSink sink) {
        this(id, promptTokens, params, sink, "", null);
    }
}

package dev.ovserve.scheduler.engine;

import dev.ovserve.scheduler.sampling.SamplingParams;

/** What a client asks the engine for: a tokenized prompt, sampling parameters, and where outputs go. */
public record GenerationRequest(String id, int[] promptTokens, SamplingParams params, OutputSink sink) {
    public GenerationRequest {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        promptTokens = promptTokens.clone();
    }
}

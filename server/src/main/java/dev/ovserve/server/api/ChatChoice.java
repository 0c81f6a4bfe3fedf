package dev.ovserve.server.api;

import dev.ovserve.scheduler.sampling.FinishReason;
import java.util.List;
import java.util.Objects;

/**
 * One finished choice of a non-streamed chat completion: the assistant's message.
 *
 * @param logprobs one step per generated token, or null when not requested
 */
public record ChatChoice(int index, String content, List<LogprobStep> logprobs, FinishReason finishReason) {
    public ChatChoice {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(finishReason, "finishReason");
        logprobs = logprobs == null ? null : List.copyOf(logprobs);
    }
}

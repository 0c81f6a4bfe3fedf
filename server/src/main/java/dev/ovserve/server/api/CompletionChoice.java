package dev.ovserve.server.api;

import dev.ovserve.scheduler.sampling.FinishReason;
import java.util.List;
import java.util.Objects;

/**
 * One finished choice of a non-streamed completion.
 *
 * @param logprobs one step per generated token, or null when not requested
 */
public record CompletionChoice(int index, String text, List<LogprobStep> logprobs, FinishReason finishReason) {
    public CompletionChoice {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        logprobs = logprobs == null ? null : List.copyOf(logprobs);
    }
}

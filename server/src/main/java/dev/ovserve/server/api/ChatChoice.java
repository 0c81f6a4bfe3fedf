package dev.ovserve.server.api;

import dev.ovserve.scheduler.sampling.FinishReason;
import java.util.List;
import java.util.Objects;

/**
 * One finished choice of a non-streamed chat completion: the assistant's message.
 *
 * @param content the text; null only beside tool calls (OpenAI's {@code content: null})
 * @param logprobs one step per generated token, or null when not requested
 * @param toolCalls the calls the model made, empty for none
 */
public record ChatChoice(int index, String content, List<LogprobStep> logprobs, FinishReason finishReason,
                         List<ToolCall> toolCalls) {
    public ChatChoice {
        toolCalls = List.copyOf(toolCalls);
        if (content == null && toolCalls.isEmpty()) {
            throw new NullPointerException("content");
        }
        Objects.requireNonNull(finishReason, "finishReason");
        logprobs = logprobs == null ? null : List.copyOf(logprobs);
    }

    public ChatChoice(int index, String content, List<LogprobStep> logprobs, FinishReason finishReason) {
        this(index, content, logprobs, finishReason, List.of());
    }
}

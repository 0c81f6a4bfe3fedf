package dev.ovserve.server.tools;

import dev.ovserve.server.api.ToolCall;

import java.util.List;

/**
 * A generated text split into what the user sees and the calls it made.
 *
 * @param content text outside the calls; null when there is none (OpenAI's {@code content: null})
 */
public record ParsedOutput(String content, List<ToolCall> calls) {
    public ParsedOutput {
        calls = List.copyOf(calls);
    }

    static ParsedOutput text(String text) {
        return new ParsedOutput(text, List.of());
    }
}

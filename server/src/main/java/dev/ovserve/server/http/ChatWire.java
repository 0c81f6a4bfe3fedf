package dev.ovserve.server.http;

import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.server.api.ChatChoice;
import dev.ovserve.server.api.ChatCompletionWriter;
import dev.ovserve.server.api.LogprobStep;
import java.util.List;
import java.util.function.IntFunction;

/** /v1/chat/completions responses: a role delta opens each choice, then content deltas. */
final class ChatWire implements WireFormat {
    private final ChatCompletionWriter writer;
    private final boolean logprobs;
    private final IntFunction<byte[]> tokenBytes;

    ChatWire(ChatCompletionWriter writer, boolean logprobs, IntFunction<byte[]> tokenBytes) {
        this.writer = writer;
        this.logprobs = logprobs;
        this.tokenBytes = tokenBytes;
    }

    @Override
    public boolean opensWithRole() {
        return true;
    }

    @Override
    public String deltaChunk(int choice, String text, List<SampledToken> tokens, boolean firstOfChoice) {
        if (firstOfChoice && text.isEmpty() && tokens.isEmpty()) {
            return CompletionWire.utf8(writer.roleChunk(choice));
        }
        String content = CompletionWire.utf8(writer.chunk(choice, text, steps(tokens), null));
        return firstOfChoice ? CompletionWire.utf8(writer.roleChunk(choice)) + "\n\ndata: " + content : content;
    }

    @Override
    public String finishChunk(int choice, FinishReason reason) {
        return CompletionWire.utf8(writer.chunk(choice, null, null, reason));
    }

    @Override
    public String usageChunk(Usage usage) {
        return CompletionWire.utf8(writer.usageChunk(usage));
    }

    @Override
    public String fullResponse(List<Result> choices, Usage usage) {
        return CompletionWire.utf8(writer.response(choices.stream()
                .map(r -> new ChatChoice(r.index(), r.text(), steps(r.tokens()), r.finish()))
                .toList(), usage));
    }

    private List<LogprobStep> steps(List<SampledToken> tokens) {
        return logprobs ? tokens.stream().map(t -> LogprobStep.of(t, tokenBytes)).toList() : null;
    }
}

package dev.ovserve.server.http;

import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.server.api.CompletionChoice;
import dev.ovserve.server.api.CompletionWriter;
import dev.ovserve.server.api.LogprobStep;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** /v1/completions responses ("text_completion"). */
final class CompletionWire implements WireFormat {
    private final CompletionWriter writer;
    private final boolean logprobs;
    private final IntFunction<byte[]> tokenBytes;
    /** Characters of each choice already streamed: the text_offset of the next chunk. */
    private final Map<Integer, Integer> offsets = new HashMap<>();

    CompletionWire(CompletionWriter writer, boolean logprobs, IntFunction<byte[]> tokenBytes) {
        this.writer = writer;
        this.logprobs = logprobs;
        this.tokenBytes = tokenBytes;
    }

    @Override
    public String deltaChunk(int choice, String text, List<SampledToken> tokens, boolean firstOfChoice) {
        int offset = offsets.merge(choice, text.length(), Integer::sum) - text.length();
        return utf8(writer.chunk(choice, text, steps(tokens), offset, null));
    }

    @Override
    public String finishChunk(int choice, FinishReason reason) {
        return utf8(writer.chunk(choice, "", logprobs ? List.of() : null, offsets.getOrDefault(choice, 0), reason));
    }

    @Override
    public String usageChunk(Usage usage) {
        return utf8(writer.usageChunk(usage));
    }

    @Override
    public String fullResponse(List<Result> choices, Usage usage) {
        return utf8(writer.response(choices.stream()
                .map(r -> new CompletionChoice(r.index(), r.text(), steps(r.tokens()), r.finish()))
                .toList(), usage));
    }

    private List<LogprobStep> steps(List<SampledToken> tokens) {
        return logprobs ? tokens.stream().map(t -> LogprobStep.of(t, tokenBytes)).toList() : null;
    }

    static String utf8(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }
}

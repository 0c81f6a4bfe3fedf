package dev.ovserve.server.http;

import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.server.api.ChatChoice;
import dev.ovserve.server.api.ChatCompletionWriter;
import dev.ovserve.server.api.LogprobStep;
import dev.ovserve.server.tools.ParsedOutput;
import dev.ovserve.server.tools.ToolCallStream;
import dev.ovserve.server.tools.ToolEvent;
import dev.ovserve.server.tools.ToolMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * /v1/chat/completions responses: a role delta opens each choice, then content deltas. With tool
 * calling, each choice's text goes through its {@link ToolCallStream}, which turns calls into
 * {@code tool_calls} deltas; a choice that made calls ends with finish reason "tool_calls".
 */
final class ChatWire implements WireFormat {
    private final ChatCompletionWriter writer;
    private final boolean logprobs;
    private final IntFunction<byte[]> tokenBytes;
    /** Null without tool calling. */
    private final ToolMode tools;
    private final Map<Integer, ToolCallStream> streams = new HashMap<>();

    ChatWire(ChatCompletionWriter writer, boolean logprobs, IntFunction<byte[]> tokenBytes) {
        this(writer, logprobs, tokenBytes, null);
    }

    ChatWire(ChatCompletionWriter writer, boolean logprobs, IntFunction<byte[]> tokenBytes, ToolMode tools) {
        this.writer = writer;
        this.logprobs = logprobs;
        this.tokenBytes = tokenBytes;
        this.tools = tools;
    }

    @Override
    public boolean opensWithRole() {
        return true;
    }

    @Override
    public String deltaChunk(int choice, String text, List<SampledToken> tokens, boolean firstOfChoice) {
        if (tools != null) {
            List<String> events = new ArrayList<>();
            if (firstOfChoice) {
                events.add(CompletionWire.utf8(writer.roleChunk(choice)));
            }
            events.addAll(toolEvents(choice, stream(choice).feed(text), tokens));
            return String.join("\n\ndata: ", events);
        }
        if (firstOfChoice && text.isEmpty() && tokens.isEmpty()) {
            return CompletionWire.utf8(writer.roleChunk(choice));
        }
        String content = CompletionWire.utf8(writer.chunk(choice, text, steps(tokens), null));
        return firstOfChoice ? CompletionWire.utf8(writer.roleChunk(choice)) + "\n\ndata: " + content : content;
    }

    private ToolCallStream stream(int choice) {
        return streams.computeIfAbsent(choice, c -> tools.stream());
    }

    private List<String> toolEvents(int choice, List<ToolEvent> events, List<SampledToken> tokens) {
        List<String> out = new ArrayList<>();
        for (ToolEvent e : events) {
            switch (e) {
                case ToolEvent.Content c -> out.add(CompletionWire.utf8(writer.chunk(choice, c.text(), steps(tokens), null)));
                case ToolEvent.CallDelta d -> out.add(CompletionWire.utf8(
                        writer.toolCallChunk(choice, d.index(), d.id(), d.name(), d.arguments())));
            }
        }
        return out;
    }

    @Override
    public String finishChunk(int choice, FinishReason reason) {
        if (tools == null) {
            return CompletionWire.utf8(writer.chunk(choice, null, null, reason));
        }
        ToolCallStream s = stream(choice);
        List<String> events = toolEvents(choice, s.finish(), List.of());
        events.add(CompletionWire.utf8(writer.chunk(choice, null, null, s.madeCalls() && reason == FinishReason.STOP
                ? FinishReason.TOOL_CALLS : reason)));
        return String.join("\n\ndata: ", events);
    }

    @Override
    public String usageChunk(Usage usage) {
        return CompletionWire.utf8(writer.usageChunk(usage));
    }

    @Override
    public String fullResponse(List<Result> choices, Usage usage) {
        return CompletionWire.utf8(writer.response(choices.stream().map(this::choice).toList(), usage));
    }

    private ChatChoice choice(Result r) {
        if (tools != null) {
            ParsedOutput parsed = tools.parse(r.text());
            if (!parsed.calls().isEmpty()) {
                return new ChatChoice(r.index(), parsed.content(), steps(r.tokens()),
                        r.finish() == FinishReason.STOP ? FinishReason.TOOL_CALLS : r.finish(), parsed.calls());
            }
        }
        return new ChatChoice(r.index(), r.text(), steps(r.tokens()), r.finish());
    }

    private List<LogprobStep> steps(List<SampledToken> tokens) {
        return logprobs ? tokens.stream().map(t -> LogprobStep.of(t, tokenBytes)).toList() : null;
    }
}

package dev.ovserve.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Writes one {@code /v1/chat/completions} request's response ({@code chat.completion}) or its
 * stream chunks ({@code chat.completion.chunk}, each the JSON after {@code data: }). A stream
 * sends, per choice, {@link #roleChunk} first, then {@link #chunk}s with content, the last one with
 * the finish reason; then {@link #usageChunk} if asked for. Immutable; one per request.
 */
public final class ChatCompletionWriter {
    private static final SerializedString COMPLETION = new SerializedString("chat.completion");
    private static final SerializedString CHUNK = new SerializedString("chat.completion.chunk");

    private final ResponseFrame frame;
    private final boolean streamUsage;

    /**
     * @param streamUsage the request's {@code stream_options.include_usage}: ordinary chunks then
     *     carry {@code "usage": null}, as OpenAI's do, before the final {@link #usageChunk}
     */
    public ChatCompletionWriter(String id, long createdSeconds, String model, boolean streamUsage) {
        this.frame = new ResponseFrame(id, createdSeconds, model);
        this.streamUsage = streamUsage;
    }

    /** A fresh {@code chatcmpl-} id, created now. */
    public static ChatCompletionWriter create(String model, boolean streamUsage) {
        return new ChatCompletionWriter(ResponseIds.chatCompletion(), ResponseFrame.nowSeconds(), model, streamUsage);
    }

    public String id() {
        return frame.id();
    }

    public long created() {
        return frame.created();
    }

    /** The whole non-streamed response. */
    public byte[] response(List<ChatChoice> choices, Usage usage) {
        Objects.requireNonNull(usage, "usage");
        return JsonOutput.write(320, g -> {
            frame.start(g, COMPLETION);
            g.writeArrayFieldStart("choices");
            for (ChatChoice c : choices) {
                g.writeStartObject();
                g.writeNumberField("index", c.index());
                g.writeObjectFieldStart("message");
                g.writeStringField("role", "assistant");
                if (c.content() == null) {
                    g.writeNullField("content");
                } else {
                    g.writeStringField("content", JsonOutput.wellFormed(c.content()));
                }
                g.writeNullField("refusal");
                if (!c.toolCalls().isEmpty()) {
                    g.writeArrayFieldStart("tool_calls");
                    for (ToolCall call : c.toolCalls()) {
                        g.writeStartObject();
                        g.writeStringField("id", call.id());
                        g.writeStringField("type", "function");
                        g.writeObjectFieldStart("function");
                        g.writeStringField("name", call.name());
                        g.writeStringField("arguments", JsonOutput.wellFormed(call.arguments()));
                        g.writeEndObject();
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
                logprobs(g, c.logprobs());
                ResponseFrame.finishReason(g, c.finishReason());
                g.writeEndObject();
            }
            g.writeEndArray();
            ResponseFrame.usage(g, usage);
            g.writeEndObject();
        });
    }

    /** A choice's first chunk: {@code "delta": {"role": "assistant", "content": ""}}. */
    public byte[] roleChunk(int index) {
        return chunk(index, g -> {
            g.writeStringField("role", "assistant");
            g.writeStringField("content", "");
        }, null, null);
    }

    /**
     * A content chunk.
     *
     * @param content new text, or null for an empty delta (a last chunk carrying only the finish reason)
     * @param logprobs steps of the tokens behind {@code content}, or null when not requested
     * @param finishReason null until the choice's last chunk
     */
    public byte[] chunk(int index, String content, List<LogprobStep> logprobs, FinishReason finishReason) {
        return chunk(index, g -> {
            if (content != null) {
                g.writeStringField("content", JsonOutput.wellFormed(content));
            }
        }, logprobs, finishReason);
    }

    /**
     * A piece of a tool call: {@code {"delta": {"tool_calls": [{"index", "id"?, "type"?, "function":
     * {"name"?, "arguments"}}]}}}; id, type and name only in a call's first piece.
     */
    public byte[] toolCallChunk(int index, int callIndex, String id, String name, String arguments) {
        return chunk(index, g -> {
            g.writeArrayFieldStart("tool_calls");
            g.writeStartObject();
            g.writeNumberField("index", callIndex);
            if (id != null) {
                g.writeStringField("id", id);
                g.writeStringField("type", "function");
            }
            g.writeObjectFieldStart("function");
            if (name != null) {
                g.writeStringField("name", name);
            }
            g.writeStringField("arguments", JsonOutput.wellFormed(arguments));
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
        }, null, null);
    }

    /** The last chunk when {@code include_usage} was asked for: no choices, the request's usage. */
    public byte[] usageChunk(Usage usage) {
        return JsonOutput.write(256, g -> {
            frame.start(g, CHUNK);
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            ResponseFrame.usage(g, usage);
            g.writeEndObject();
        });
    }

    private byte[] chunk(int index, JsonOutput.Body delta, List<LogprobStep> logprobs, FinishReason finishReason) {
        return JsonOutput.write(192, g -> {
            frame.start(g, CHUNK);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("delta");
            delta.write(g);
            g.writeEndObject();
            logprobs(g, logprobs);
            ResponseFrame.finishReason(g, finishReason);
            g.writeEndObject();
            g.writeEndArray();
            if (streamUsage) {
                g.writeNullField("usage");
            }
            g.writeEndObject();
        });
    }

    /** {@code {"content": [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}], "refusal": null}}. */
    private static void logprobs(JsonGenerator g, List<LogprobStep> steps) throws IOException {
        if (steps == null) {
            g.writeNullField("logprobs");
            return;
        }
        g.writeObjectFieldStart("logprobs");
        g.writeArrayFieldStart("content");
        for (LogprobStep s : steps) {
            g.writeStartObject();
            token(g, s.sampled());
            g.writeArrayFieldStart("top_logprobs");
            for (LogprobToken t : s.top()) {
                g.writeStartObject();
                token(g, t);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNullField("refusal");
        g.writeEndObject();
    }

    private static void token(JsonGenerator g, LogprobToken t) throws IOException {
        g.writeStringField("token", JsonOutput.wellFormed(t.token()));
        g.writeNumberField("logprob", JsonOutput.finiteLogprob(t.logprob()));
        g.writeArrayFieldStart("bytes");
        for (int i = 0; i < t.byteCount(); i++) {
            g.writeNumber(t.byteAt(i));
        }
        g.writeEndArray();
    }
}

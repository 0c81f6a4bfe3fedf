package dev.ovserve.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Writes one {@code /v1/completions} request's response body, or its stream chunks (each the JSON
 * after {@code data: }), as OpenAI's {@code text_completion} objects. Immutable; one per request.
 */
public final class CompletionWriter {
    private static final SerializedString OBJECT = new SerializedString("text_completion");

    private final ResponseFrame frame;
    private final boolean streamUsage;

    /**
     * @param streamUsage the request's {@code stream_options.include_usage}: ordinary chunks then
     *     carry {@code "usage": null}, as OpenAI's do, before the final {@link #usageChunk}
     */
    public CompletionWriter(String id, long createdSeconds, String model, boolean streamUsage) {
        this.frame = new ResponseFrame(id, createdSeconds, model);
        this.streamUsage = streamUsage;
    }

    /** A fresh {@code cmpl-} id, created now. */
    public static CompletionWriter create(String model, boolean streamUsage) {
        return new CompletionWriter(ResponseIds.completion(), ResponseFrame.nowSeconds(), model, streamUsage);
    }

    public String id() {
        return frame.id();
    }

    public long created() {
        return frame.created();
    }

    /** The whole non-streamed response. */
    public byte[] response(List<CompletionChoice> choices, Usage usage) {
        Objects.requireNonNull(usage, "usage");
        return JsonOutput.write(256, g -> {
            frame.start(g, OBJECT);
            g.writeArrayFieldStart("choices");
            for (CompletionChoice c : choices) {
                choice(g, c.index(), c.text(), c.logprobs(), 0, c.finishReason());
            }
            g.writeEndArray();
            ResponseFrame.usage(g, usage);
            g.writeEndObject();
        });
    }

    /**
     * One stream chunk for choice {@code index}.
     *
     * @param text the new text (may be empty, e.g. with only the finish reason)
     * @param logprobs the steps of the tokens behind {@code text}, or null when not requested
     * @param textOffset where {@code text} starts in the choice's text so far, in code points
     *     (OpenAI's {@code text_offset} counts Python characters)
     * @param finishReason null until the choice's last chunk
     */
    public byte[] chunk(int index, String text, List<LogprobStep> logprobs, int textOffset, FinishReason finishReason) {
        return JsonOutput.write(160 + text.length(), g -> {
            frame.start(g, OBJECT);
            g.writeArrayFieldStart("choices");
            choice(g, index, text, logprobs, textOffset, finishReason);
            g.writeEndArray();
            if (streamUsage) {
                g.writeNullField("usage");
            }
            g.writeEndObject();
        });
    }

    /** The last chunk when {@code include_usage} was asked for: no choices, the request's usage. */
    public byte[] usageChunk(Usage usage) {
        return JsonOutput.write(256, g -> {
            frame.start(g, OBJECT);
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            ResponseFrame.usage(g, usage);
            g.writeEndObject();
        });
    }

    private static void choice(JsonGenerator g, int index, String text, List<LogprobStep> logprobs, int textOffset,
                               FinishReason finishReason) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", index);
        g.writeStringField("text", JsonOutput.wellFormed(text));
        if (logprobs == null) {
            g.writeNullField("logprobs");
        } else {
            logprobs(g, logprobs, textOffset);
        }
        ResponseFrame.finishReason(g, finishReason);
        g.writeEndObject();
    }

    /**
     * The legacy shape: parallel arrays, {@code top_logprobs} a {token: logprob} object per position
     * holding the alternatives and, as OpenAI promises, the sampled token too (so up to k + 1 keys).
     */
    private static void logprobs(JsonGenerator g, List<LogprobStep> steps, int textOffset) throws IOException {
        g.writeObjectFieldStart("logprobs");
        g.writeArrayFieldStart("tokens");
        for (LogprobStep s : steps) {
            g.writeString(JsonOutput.wellFormed(s.sampled().token()));
        }
        g.writeEndArray();
        g.writeArrayFieldStart("token_logprobs");
        for (LogprobStep s : steps) {
            g.writeNumber(JsonOutput.finiteLogprob(s.sampled().logprob()));
        }
        g.writeEndArray();
        g.writeArrayFieldStart("top_logprobs");
        for (LogprobStep s : steps) {
            g.writeStartObject();
            // Two ids can share a text (partial characters); a JSON object keeps the likelier one.
            var written = new HashSet<String>();
            for (LogprobToken t : s.top()) {
                String key = JsonOutput.wellFormed(t.token());
                if (written.add(key)) {
                    g.writeNumberField(key, JsonOutput.finiteLogprob(t.logprob()));
                }
            }
            String sampled = JsonOutput.wellFormed(s.sampled().token());
            if (written.add(sampled)) {
                g.writeNumberField(sampled, JsonOutput.finiteLogprob(s.sampled().logprob()));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("text_offset");
        int offset = textOffset;
        for (LogprobStep s : steps) {
            g.writeNumber(offset);
            offset += s.sampled().charactersStarted();
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}

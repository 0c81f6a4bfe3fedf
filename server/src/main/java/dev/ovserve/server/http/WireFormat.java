package dev.ovserve.server.http;

import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import java.util.List;

/** The JSON of one endpoint's responses: completions and chat differ only here. */
interface WireFormat {
    /** Chat streams open every choice with a chunk carrying the assistant role. */
    default boolean opensWithRole() {
        return false;
    }

    /** A streamed chunk with new text of one choice; chat puts the role in each choice's first chunk. */
    String deltaChunk(int choice, String text, List<SampledToken> tokens, boolean firstOfChoice);

    String finishChunk(int choice, FinishReason reason);

    /** The last chunk when the client asked for stream_options.include_usage. */
    String usageChunk(Usage usage);

    /** A complete, non-streamed response. */
    String fullResponse(List<Result> choices, Usage usage);

    /** One finished choice of a non-streamed response. */
    record Result(int index, String text, List<SampledToken> tokens, FinishReason finish) {}
}

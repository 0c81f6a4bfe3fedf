package dev.ovserve.scheduler.sampling;

/** Why a completion ended. {@link #wireName()} is the spelling OpenAI clients expect in {@code finish_reason}. */
public enum FinishReason {
    /** EOS, a stop token id or a stop string. */
    STOP("stop"),
    /** {@code max_tokens} or the model's context length reached. */
    LENGTH("length"),
    /** The output was tool calls (set by the server when it found calls in a finished output). */
    TOOL_CALLS("tool_calls"),
    /** Cancelled: the client went away or the request was aborted (internal; vLLM spells it "abort"). */
    ABORT("abort"),
    /** Failed inside the engine (internal). */
    ERROR("error");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}

package dev.ovserve.server.api;

/**
 * How many tokens a request may generate once its prompt is tokenized, under {@code --max-model-len}.
 * As OpenAI and vLLM: a prompt that leaves no room, or an explicit max_tokens that does not fit
 * beside the prompt, is a 400 ({@code context_length_exceeded}); a default is cut to the room left.
 */
public final class ContextWindow {
    private ContextWindow() {}

    /**
     * @param requested the client's max_tokens, or null
     * @param whenAbsent the default when {@code requested} is null ({@link Integer#MAX_VALUE}: all the room)
     * @param promptParam {@code "prompt"} or {@code "messages"}, named in the error
     */
    public static int maxTokens(int promptTokens, Integer requested, int whenAbsent, int maxModelLen, String promptParam) {
        if (promptTokens >= maxModelLen) {
            throw ApiException.contextLengthExceeded(promptParam, "This model's maximum context length is " + maxModelLen
                    + " tokens. However, you requested " + promptTokens + " tokens in the " + promptParam
                    + ", which leaves no room for a completion. Please reduce the length of the " + promptParam + ".");
        }
        int room = maxModelLen - promptTokens;
        if (requested == null) {
            return Math.min(whenAbsent, room);
        }
        if (requested > room) {
            throw ApiException.contextLengthExceeded(promptParam, "This model's maximum context length is " + maxModelLen
                    + " tokens. However, you requested " + ((long) promptTokens + requested) + " tokens (" + promptTokens
                    + " in the " + promptParam + ", " + requested + " in the completion). Please reduce the length of the "
                    + promptParam + " or completion.");
        }
        return requested;
    }
}

package dev.ovserve.scheduler.engine;

/** Token counts of one request, as OpenAI's usage object reports them. */
public record Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}

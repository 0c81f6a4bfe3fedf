package dev.ovserve.scheduler.engine;

/** A snapshot the engine publishes after every step, for metrics and tests. */
public record EngineStats(int running, int waiting, int usedBlocks, int freeBlocks, int totalBlocks, double prefixHitRate,
                          long preemptions, long steps, long promptTokensComputed, long generatedTokens) {
    public double kvCacheUsage() {
        return totalBlocks == 0 ? 0 : usedBlocks / (double) totalBlocks;
    }
}

package dev.ovserve.scheduler.engine;

import java.util.List;

/**
 * A snapshot the engine publishes after every step, for metrics and tests. Counts and blocks
 * add up over the live devices' pools; {@code servingDevice} takes new sequences. {@code pools}
 * lists the serving device first, then devices still finishing what they ran before a hand-off,
 * then retired ones with their final figures. {@code prefixQueryTokens}/{@code prefixHitTokens}
 * count prompt tokens looked up in the prefix cache and found there, over every pool (they only grow).
 */
public record EngineStats(int running, int waiting, int usedBlocks, int freeBlocks, int totalBlocks, double prefixHitRate,
                          long preemptions, long steps, long promptTokensComputed, long generatedTokens,
                          String servingDevice, List<PoolStats> pools, int blockSize, long prefixQueryTokens,
                          long prefixHitTokens) {
    public EngineStats {
        pools = List.copyOf(pools);
    }

    public double kvCacheUsage() {
        return totalBlocks == 0 ? 0 : usedBlocks / (double) totalBlocks;
    }

    /** One device's KV pool and what runs on it. */
    public record PoolStats(String device, State state, int running, int waiting, int usedBlocks, int totalBlocks,
                            long steps, long generatedTokens) {
        public enum State { SERVING, DRAINING, RETIRED }
    }
}

package dev.ovserve.scheduler.kv;

import java.util.Arrays;

/**
 * The result of {@link BlockManager#lookupPrefix}: cached blocks holding the KV of the first
 * {@link #tokens()} tokens. Valid until the next {@code allocate} or {@code prepareWrite}, which
 * may evict them; {@link BlockManager#allocate} rejects a hit that went stale.
 */
public final class PrefixHit {
    /** No lookup done: adopts nothing and counts nothing in the prefix-cache statistics. */
    public static final PrefixHit NONE = new PrefixHit(new int[0], new long[0], 0, 0);

    private final int[] blockIds;
    private final long[] keyIds;
    private final int tokens;
    private final int queryTokens;

    PrefixHit(int[] blockIds, long[] keyIds, int tokens, int queryTokens) {
        this.blockIds = blockIds;
        this.keyIds = keyIds;
        this.tokens = tokens;
        this.queryTokens = queryTokens;
    }

    /** Tokens whose KV the hit covers: a multiple of the block size. */
    public int tokens() {
        return tokens;
    }

    /** Tokens that were looked up (the lookup's {@code maxTokens}). */
    public int queryTokens() {
        return queryTokens;
    }

    public int blockCount() {
        return blockIds.length;
    }

    public int[] blockIds() {
        return blockIds.clone();
    }

    public boolean isEmpty() {
        return blockIds.length == 0;
    }

    int blockId(int index) {
        return blockIds[index];
    }

    /** The key id each block had at lookup; a different one now means it was evicted. */
    long keyId(int index) {
        return keyIds[index];
    }

    @Override
    public String toString() {
        return "PrefixHit[tokens=" + tokens + " of " + queryTokens + ", blocks=" + Arrays.toString(blockIds) + "]";
    }
}

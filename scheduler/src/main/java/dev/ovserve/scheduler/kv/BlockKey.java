package dev.ovserve.scheduler.kv;

import java.util.Arrays;

/**
 * Identity of a full KV block: the key id of the block before it (which stands for the whole
 * prefix up to here) and its own tokens. Equality compares the tokens themselves, so a hash
 * collision can never make two different prefixes share KV.
 */
final class BlockKey {
    /** Parent id of a sequence's first block. Registered key ids start above it. */
    static final long ROOT = 0;

    private final long parentId;
    private final int[] tokens;
    private final int hash;

    private BlockKey(long parentId, int[] tokens) {
        this.parentId = parentId;
        this.tokens = tokens;
        this.hash = 31 * Long.hashCode(parentId) + Arrays.hashCode(tokens);
    }

    static BlockKey of(long parentId, int[] tokens, int from, int length) {
        return new BlockKey(parentId, Arrays.copyOfRange(tokens, from, from + length));
    }

    long parentId() {
        return parentId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockKey k && k.hash == hash && k.parentId == parentId && Arrays.equals(k.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "BlockKey[parent=" + parentId + ", tokens=" + Arrays.toString(tokens) + "]";
    }
}

package dev.ovserve.scheduler.kv;

import java.util.Arrays;
import java.util.Objects;

/**
 * Identity of a full KV block: the key id of the block before it (which stands for the whole
 * prefix up to here) and its own tokens. Equality compares the tokens themselves, so a hash
 * collision can never make two different prefixes share KV. A sequence's first block also
 * carries its cache salt, so the whole chain differs between salts.
 */
final class BlockKey {
    /** Parent id of a sequence's first block. Registered key ids start above it. */
    static final long ROOT = 0;

    private final long parentId;
    /** Only on a first block (parent {@link #ROOT}); null for none. */
    private final String salt;
    private final int[] tokens;
    private final int hash;

    private BlockKey(long parentId, String salt, int[] tokens) {
        this.parentId = parentId;
        this.salt = salt;
        this.tokens = tokens;
        this.hash = 31 * (31 * Long.hashCode(parentId) + Objects.hashCode(salt)) + Arrays.hashCode(tokens);
    }

    static BlockKey of(long parentId, int[] tokens, int from, int length) {
        return of(parentId, null, tokens, from, length);
    }

    /** {@code salt} counts only for a first block: later ones inherit it through their parent's id. */
    static BlockKey of(long parentId, String salt, int[] tokens, int from, int length) {
        return new BlockKey(parentId, parentId == ROOT ? salt : null, Arrays.copyOfRange(tokens, from, from + length));
    }

    long parentId() {
        return parentId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockKey k && k.hash == hash && k.parentId == parentId && Objects.equals(k.salt, salt)
                && Arrays.equals(k.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "BlockKey[parent=" + parentId + (salt == null ? "" : ", salted") + ", tokens=" + Arrays.toString(tokens) + "]";
    }
}

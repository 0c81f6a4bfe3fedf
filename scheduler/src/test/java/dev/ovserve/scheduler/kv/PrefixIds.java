package dev.ovserve.scheduler.kv;

import java.util.HashMap;
import java.util.Map;

/**
 * Exact names for "the KV of the token at position p given tokens 0..p": one id per distinct
 * prefix, interned as (previous prefix id, token). Stands in for real KV in the fake cache.
 */
final class PrefixIds {
    static final int EMPTY = 0;

    private final Map<Long, Integer> ids = new HashMap<>();

    int extend(int prefixId, int token) {
        return ids.computeIfAbsent(((long) prefixId << 32) | (token & 0xffffffffL), k -> ids.size() + 1);
    }

    /** Ids of every prefix of {@code tokens[0..length)}: element p names tokens[0..p]. */
    int[] of(int[] tokens, int length) {
        int[] out = new int[length];
        int id = EMPTY;
        for (int p = 0; p < length; p++) {
            id = extend(id, tokens[p]);
            out[p] = id;
        }
        return out;
    }
}

package dev.ovserve.constraint;

import java.util.Set;

/**
 * A tokenizer's vocabulary as constrained decoding sees it.
 *
 * @param tokenBytes      {@code tokenBytes[id]} = the exact UTF-8 bytes the token contributes to the
 *                        output text; null or empty for special tokens, which are never allowed
 *                        inside constrained text
 * @param eosTokenIds     ids allowed exactly when the constraint accepts the text so far
 * @param specialTokenIds ids never allowed inside constrained text (whatever their bytes)
 */
public record Vocabulary(byte[][] tokenBytes, Set<Integer> eosTokenIds, Set<Integer> specialTokenIds) {
    public Vocabulary {
        tokenBytes = tokenBytes.clone();
        eosTokenIds = Set.copyOf(eosTokenIds);
        specialTokenIds = Set.copyOf(specialTokenIds);
    }

    public int size() {
        return tokenBytes.length;
    }
}

package dev.ovserve.constraint.grammar;

import dev.ovserve.constraint.Vocabulary;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * A vocabulary prepared once per tokenizer: the ordinary tokens sorted by their bytes, so that a
 * walk over them shares every common prefix (a byte trie in array form), and the EOS ids.
 */
public final class TokenIndex {
    final int vocabSize;
    final byte[][] bytes;
    final int[] sorted; // ids of tokens that may appear in constrained text, by unsigned bytes
    final int[] eos;
    final int maxLength;
    /** {@code lcpPrev[i]}: bytes {@code sorted[i]} shares with {@code sorted[i - 1]} (the trie's shape). */
    final int[] lcpPrev;
    /**
     * Token classes of leaf automaton states, keyed by {@link CompiledGrammar#leafSignature}:
     * the string, number and enum automata that recur across schemas are walked once per
     * tokenizer. Bounded by weight (about 64 MiB).
     */
    final com.github.benmanes.caffeine.cache.Cache<String, Object> sharedMasks;
    private final boolean[] inText;

    public TokenIndex(Vocabulary vocabulary) {
        byte[][] tb = vocabulary.tokenBytes();
        vocabSize = tb.length;
        bytes = tb;
        sorted = IntStream.range(0, vocabSize)
                .filter(id -> tb[id] != null && tb[id].length > 0)
                .filter(id -> !vocabulary.specialTokenIds().contains(id) && !vocabulary.eosTokenIds().contains(id))
                .boxed()
                .sorted(Comparator.comparing((Integer id) -> tb[id], Arrays::compareUnsigned))
                .mapToInt(Integer::intValue)
                .toArray();
        eos = vocabulary.eosTokenIds().stream().mapToInt(Integer::intValue).filter(id -> id >= 0 && id < vocabSize).sorted().toArray();
        lcpPrev = new int[sorted.length];
        for (int i = 1; i < sorted.length; i++) {
            byte[] a = tb[sorted[i - 1]];
            byte[] b = tb[sorted[i]];
            int n = Math.min(a.length, b.length);
            int k = 0;
            while (k < n && a[k] == b[k]) {
                k++;
            }
            lcpPrev[i] = k;
        }
        long bytesPerMask = 8L * ((vocabSize + 63) / 64);
        sharedMasks = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                .maximumWeight(64L << 20)
                .<String, Object>weigher((k, v) -> (int) Math.min(Integer.MAX_VALUE, k.length() * 2L + bytesPerMask))
                .build();
        inText = new boolean[vocabSize];
        for (int id : sorted) {
            inText[id] = true;
        }
        maxLength = Arrays.stream(sorted).map(id -> tb[id].length).max().orElse(0);
    }

    public int vocabSize() {
        return vocabSize;
    }

    boolean isEos(int token) {
        return Arrays.binarySearch(eos, token) >= 0;
    }

    /** The token's bytes if it may appear in constrained text, else null. */
    byte[] textBytes(int token) {
        if (token < 0 || token >= vocabSize || isEos(token)) {
            return null;
        }
        byte[] b = bytes[token];
        return inText[token] ? b : null;
    }
}

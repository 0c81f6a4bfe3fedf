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

package dev.ovserve.constraint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Splits text into vocabulary tokens: greedy longest match, or a random valid segmentation. */
final class Tokenize {
    private final Vocabulary vocab;
    private final Map<String, Integer> byBytes = new HashMap<>();
    private final int maxLen;

    Tokenize(Vocabulary vocab) {
        this.vocab = vocab;
        int m = 0;
        for (int id = 0; id < vocab.size(); id++) {
            byte[] b = vocab.tokenBytes()[id];
            if (b != null && b.length > 0 && !vocab.specialTokenIds().contains(id)) {
                byBytes.putIfAbsent(key(b, 0, b.length), id);
                m = Math.max(m, b.length);
            }
        }
        maxLen = m;
    }

    private static String key(byte[] b, int from, int to) {
        return new String(b, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Longest match first, or (random non-null) a random choice among the matches at each point. */
    int[] split(byte[] text, SplittableRandom random) {
        List<Integer> out = new ArrayList<>();
        int i = 0;
        while (i < text.length) {
            List<int[]> matches = new ArrayList<>();
            for (int len = Math.min(maxLen, text.length - i); len >= 1; len--) {
                Integer id = byBytes.get(key(text, i, i + len));
                if (id != null) {
                    matches.add(new int[] {id, len});
                    if (random == null) {
                        break;
                    }
                }
            }
            if (matches.isEmpty()) {
                throw new IllegalArgumentException("no token for byte " + (text[i] & 0xFF));
            }
            int[] m = random == null ? matches.getFirst() : matches.get(random.nextInt(matches.size()));
            out.add(m[0]);
            i += m[1];
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static boolean allowed(long[] mask, int id) {
        return (mask[id >>> 6] & (1L << (id & 63))) != 0;
    }

    static long[] newMask(Vocabulary v) {
        return new long[(v.size() + 63) / 64];
    }

    static String show(Vocabulary v, int id) {
        byte[] b = v.tokenBytes()[id];
        return id + ":" + (b == null ? "<special>" : Arrays.toString(b) + "'" + new String(b, java.nio.charset.StandardCharsets.UTF_8) + "'");
    }
}

package dev.ovserve.constraint.grammar;

/**
 * Runs a matcher over a list of tokens in byte order, reusing the positions of the prefix a token
 * shares with the previous one, and skipping every token under a prefix already found dead (a
 * depth-first walk of the vocabulary's byte trie, in array form).
 */
final class TokenWalk {
    interface Verdict {
        /**
         * Called for tokens that read whole ({@code accepted}) or that died after the bottom
         * frame ended mid-token ({@code escaped}); plain rejections are not reported.
         */
        void token(int id, boolean accepted, boolean escaped);
    }

    private TokenWalk() {}

    /** Walks {@code ids} (in byte order); {@code lcpPrev} aligned with them, or null to compute. */
    static void run(CompiledGrammar g, TokenIndex index, Position start, int[] ids, int[] lcpPrev, Verdict verdict) {
        Position[] pos = new Position[index.maxLength + 1];
        boolean[] escUpTo = new boolean[index.maxLength + 1];
        pos[0] = start;
        int alive = 0; // pos[0..alive] belong to the previous token's path
        int prevDied = -1;
        int n = ids.length;
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            byte[] b = index.bytes[id];
            int l = i == 0 ? 0 : lcpPrev != null ? lcpPrev[i] : lcp(index.bytes[ids[i - 1]], b);
            if (prevDied >= 0 && l >= prevDied) {
                if (escUpTo[prevDied - 1]) {
                    verdict.token(id, false, true);
                } else if (lcpPrev != null) {
                    while (i + 1 < n && lcpPrev[i + 1] >= prevDied) {
                        i++; // the whole subtree under the dead prefix
                    }
                }
                continue;
            }
            int d = Math.min(l, alive);
            int died = -1;
            while (d < b.length) {
                Position np = g.step(pos[d], b[d] & 0xFF);
                if (np.dead()) {
                    died = d + 1;
                    break;
                }
                pos[++d] = np;
                escUpTo[d] = escUpTo[d - 1] || np.accepting;
            }
            alive = d;
            prevDied = died;
            if (died < 0) {
                verdict.token(id, true, false);
            } else if (escUpTo[died - 1]) {
                verdict.token(id, false, true);
            }
        }
    }

    /**
     * The same walk over the whole vocabulary inside a rule that calls no other: the position is
     * one DFA state, and the rule may end (escape to whatever is below) wherever that state accepts.
     */
    static void runLeaf(CompiledGrammar g, TokenIndex index, int start, Verdict verdict) {
        int[] st = new int[index.maxLength + 1];
        boolean[] escUpTo = new boolean[index.maxLength + 1];
        int[] ids = index.sorted;
        int[] lcpPrev = index.lcpPrev;
        st[0] = start;
        int alive = 0;
        int prevDied = -1;
        int n = ids.length;
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            byte[] b = index.bytes[id];
            int l = lcpPrev[i];
            if (prevDied >= 0 && l >= prevDied) {
                if (escUpTo[prevDied - 1]) {
                    verdict.token(id, false, true);
                } else {
                    while (i + 1 < n && lcpPrev[i + 1] >= prevDied) {
                        i++;
                    }
                }
                continue;
            }
            int d = Math.min(l, alive);
            int died = -1;
            while (d < b.length) {
                int t = g.next(st[d], b[d] & 0xFF);
                if (t < 0) {
                    died = d + 1;
                    break;
                }
                st[++d] = t;
                escUpTo[d] = escUpTo[d - 1] || g.accept[t];
            }
            alive = d;
            prevDied = died;
            if (died < 0) {
                verdict.token(id, true, false);
            } else if (escUpTo[died - 1]) {
                verdict.token(id, false, true);
            }
        }
    }

    private static int lcp(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}

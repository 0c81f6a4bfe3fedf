package dev.ovserve.constraint.grammar;

/**
 * Runs a matcher over a list of tokens in byte order, reusing the positions of the prefix a token
 * shares with the previous one, and skipping tokens that share a prefix already found dead.
 */
final class TokenWalk {
    interface Verdict {
        /** {@code accepted}: the whole token reads; else {@code escaped}: the bottom frame ended mid-token. */
        void token(int id, boolean accepted, boolean escaped);
    }

    private TokenWalk() {}

    static void run(CompiledGrammar g, TokenIndex index, Position start, int[] ids, Verdict verdict) {
        Position[] pos = new Position[index.maxLength + 1];
        boolean[] escUpTo = new boolean[index.maxLength + 1];
        pos[0] = start;
        int alive = 0; // pos[0..alive] belong to the previous token's path
        byte[] prev = null;
        int prevDied = -1;
        for (int id : ids) {
            byte[] b = index.bytes[id];
            int l = prev == null ? 0 : lcp(prev, b);
            if (prevDied >= 0 && l >= prevDied) {
                verdict.token(id, false, escUpTo[prevDied - 1]);
                prev = b;
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
            prev = b;
            if (died < 0) {
                verdict.token(id, true, false);
            } else {
                verdict.token(id, false, escUpTo[died - 1]);
            }
        }
    }

    /**
     * The same walk inside a rule that calls no other: the position is one DFA state, and the
     * rule may end (escape to whatever is below) wherever that state accepts.
     */
    static void runLeaf(CompiledGrammar g, TokenIndex index, int start, Verdict verdict) {
        int[] st = new int[index.maxLength + 1];
        boolean[] escUpTo = new boolean[index.maxLength + 1];
        st[0] = start;
        int alive = 0;
        byte[] prev = null;
        int prevDied = -1;
        for (int id : index.sorted) {
            byte[] b = index.bytes[id];
            int l = prev == null ? 0 : lcp(prev, b);
            if (prevDied >= 0 && l >= prevDied) {
                verdict.token(id, false, escUpTo[prevDied - 1]);
                prev = b;
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
            prev = b;
            if (died < 0) {
                verdict.token(id, true, false);
            } else {
                verdict.token(id, false, escUpTo[died - 1]);
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

package dev.ovserve.constraint.grammar;

import dev.ovserve.constraint.InvalidConstraintException;
import dev.ovserve.constraint.UnsupportedConstraintException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A grammar as a set of byte-level DFAs, one per rule, whose edges read a byte range or call a
 * rule; matched with a set of stacks (a pushdown automaton run on every parse at once).
 *
 * <p>After compilation every state can still reach an accepting state (calls only to rules
 * that match something, edges only to states that can finish), so a stack that is alive can
 * always be completed: that is what makes token masks exact.
 */
public final class CompiledGrammar {
    /** Guards memory and compile time against huge repetition counts or ambiguous grammars. */
    static final int MAX_STATES = 200_000;

    private static final int[] NONE = new int[0];

    final int[][] rangeLo;
    final int[][] rangeHi;
    final int[][] rangeNext;
    final int[][] callRule;
    final int[][] callNext;
    final boolean[] accept;
    final int[] ruleStart;
    final int[] dist; // shortest number of bytes from a state to its rule's end
    final int[] ruleOf;
    /** Per state: its rule calls no other rule, so matching inside it is a plain DFA walk. */
    final boolean[] leaf;
    final int root;
    final String kind;

    private CompiledGrammar(String kind, int root, List<DState> states, int[] ruleStart) {
        this.kind = kind;
        this.root = root;
        this.ruleStart = ruleStart;
        int n = states.size();
        rangeLo = new int[n][];
        rangeHi = new int[n][];
        rangeNext = new int[n][];
        callRule = new int[n][];
        callNext = new int[n][];
        accept = new boolean[n];
        dist = new int[n];
        ruleOf = new int[n];
        leaf = new boolean[n];
        for (int r = 0; r < ruleStart.length; r++) {
            int end = r + 1 < ruleStart.length ? ruleStart[r + 1] : n;
            for (int st = ruleStart[r]; st < end; st++) {
                ruleOf[st] = r;
            }
        }
        for (int i = 0; i < n; i++) {
            DState d = states.get(i);
            rangeLo[i] = d.lo;
            rangeHi[i] = d.hi;
            rangeNext[i] = d.next;
            callRule[i] = d.callRule;
            callNext[i] = d.callNext;
            accept[i] = d.accept;
        }
    }

    public String kind() {
        return kind;
    }

    public int stateCount() {
        return accept.length;
    }

    /** Compiles {@code grammar}; throws when it matches nothing or is left-recursive. */
    public static CompiledGrammar compile(String kind, Grammar grammar) {
        Map<String, Integer> index = new HashMap<>();
        List<String> names = new ArrayList<>(grammar.rules().keySet());
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        if (!index.containsKey(grammar.root())) {
            throw new InvalidConstraintException(kind, "the grammar has no rule '" + grammar.root() + "'");
        }
        List<DState> states = new ArrayList<>();
        int[] ruleStart = new int[names.size()];
        for (int r = 0; r < names.size(); r++) {
            Nfa nfa = new Nfa(kind, index);
            int end = nfa.build(grammar.rules().get(names.get(r)), 0);
            ruleStart[r] = states.size();
            nfa.determinize(end, states);
        }
        CompiledGrammar g = new CompiledGrammar(kind, index.get(grammar.root()), states, ruleStart);
        g.trim(names);
        g.checkLeftRecursion(names);
        g.markLeaves();
        return g;
    }

    // ---- analysis -------------------------------------------------------------------------

    private void trim(List<String> names) {
        int n = accept.length;
        final int inf = Integer.MAX_VALUE / 4;
        Arrays.fill(dist, inf);
        for (int s = 0; s < n; s++) {
            if (accept[s]) {
                dist[s] = 0;
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int s = n - 1; s >= 0; s--) {
                int best = dist[s];
                for (int i = 0; i < rangeNext[s].length; i++) {
                    best = Math.min(best, 1 + dist[rangeNext[s][i]]);
                }
                for (int i = 0; i < callRule[s].length; i++) {
                    best = Math.min(best, dist[ruleStart[callRule[s][i]]] + dist[callNext[s][i]]);
                }
                if (best < dist[s]) {
                    dist[s] = best;
                    changed = true;
                }
            }
        }
        if (dist[ruleStart[root]] >= inf) {
            throw new InvalidConstraintException(kind, "the constraint matches no output at all");
        }
        for (int s = 0; s < n; s++) {
            if (dist[s] >= inf) {
                rangeLo[s] = rangeHi[s] = rangeNext[s] = callRule[s] = callNext[s] = NONE;
                continue;
            }
            IntList lo = new IntList();
            IntList hi = new IntList();
            IntList next = new IntList();
            for (int i = 0; i < rangeNext[s].length; i++) {
                if (dist[rangeNext[s][i]] < inf) {
                    lo.add(rangeLo[s][i]);
                    hi.add(rangeHi[s][i]);
                    next.add(rangeNext[s][i]);
                }
            }
            rangeLo[s] = lo.toArray();
            rangeHi[s] = hi.toArray();
            rangeNext[s] = next.toArray();
            IntList cr = new IntList();
            IntList cn = new IntList();
            for (int i = 0; i < callRule[s].length; i++) {
                if (dist[ruleStart[callRule[s][i]]] < inf && dist[callNext[s][i]] < inf) {
                    cr.add(callRule[s][i]);
                    cn.add(callNext[s][i]);
                }
            }
            callRule[s] = cr.toArray();
            callNext[s] = cn.toArray();
        }
    }

    private void markLeaves() {
        boolean[] calls = new boolean[ruleStart.length];
        for (int s = 0; s < accept.length; s++) {
            calls[ruleOf[s]] |= callRule[s].length > 0;
        }
        for (int s = 0; s < accept.length; s++) {
            leaf[s] = !calls[ruleOf[s]];
        }
    }

    private void checkLeftRecursion(List<String> names) {
        int rules = ruleStart.length;
        List<Set<Integer>> leftCalls = new ArrayList<>();
        for (int r = 0; r < rules; r++) {
            Set<Integer> calls = new HashSet<>();
            ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(ruleStart[r]));
            Set<Integer> seen = new HashSet<>(todo);
            while (!todo.isEmpty()) {
                int s = todo.pop();
                for (int i = 0; i < callRule[s].length; i++) {
                    int q = callRule[s][i];
                    calls.add(q);
                    if (dist[ruleStart[q]] == 0 && seen.add(callNext[s][i])) {
                        todo.push(callNext[s][i]);
                    }
                }
            }
            leftCalls.add(calls);
        }
        int[] mark = new int[rules]; // 0 new, 1 on path, 2 done
        for (int r = 0; r < rules; r++) {
            int cyc = findCycle(r, leftCalls, mark);
            if (cyc >= 0) {
                throw new UnsupportedConstraintException("left recursion",
                        "rule '" + names.get(cyc) + "' is left-recursive, which this grammar engine does not support; rewrite it with repetition");
            }
        }
    }

    private int findCycle(int r, List<Set<Integer>> edges, int[] mark) {
        if (mark[r] == 1) {
            return r;
        }
        if (mark[r] == 2) {
            return -1;
        }
        mark[r] = 1;
        for (int q : edges.get(r)) {
            int c = findCycle(q, edges, mark);
            if (c >= 0) {
                return c;
            }
        }
        mark[r] = 2;
        return -1;
    }

    /**
     * A canonical text of the automaton a leaf state can still walk (states renumbered in
     * breadth-first order), or null when that automaton is larger than {@code limit} states.
     * Equal signatures mean equal token classes, so they can be shared across grammars.
     */
    String leafSignature(int start, int limit) {
        if (!leaf[start]) {
            return null;
        }
        java.util.HashMap<Integer, Integer> order = new java.util.HashMap<>();
        ArrayList<Integer> queue = new ArrayList<>();
        order.put(start, 0);
        queue.add(start);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < queue.size(); i++) {
            int st = queue.get(i);
            sb.append(accept[st] ? 'A' : 'N');
            for (int k = 0; k < rangeLo[st].length; k++) {
                Integer t = order.get(rangeNext[st][k]);
                if (t == null) {
                    if (queue.size() >= limit) {
                        return null;
                    }
                    t = queue.size();
                    order.put(rangeNext[st][k], t);
                    queue.add(rangeNext[st][k]);
                }
                sb.append(rangeLo[st][k]).append('-').append(rangeHi[st][k]).append('>').append(t).append(',');
            }
            sb.append(';');
        }
        return sb.toString();
    }

    // ---- matching ---------------------------------------------------------------------------

    Position initial() {
        return close(List.of(new Frame(ruleStart[root], null)));
    }

    /** The position after reading byte {@code b}; {@link Position#dead()} when none survives. */
    Position step(Position p, int b) {
        Frame[] tops = p.tops;
        if (tops.length == 1) {
            Frame f = tops[0];
            int t = next(f.state, b);
            if (t < 0) {
                return Position.DEAD;
            }
            if (!accept[t] && callRule[t].length == 0) { // nothing to expand: the common case
                return rangeNext[t].length == 0 ? Position.DEAD : Position.single(new Frame(t, f.parent));
            }
            return close(List.of(new Frame(t, f.parent)));
        }
        List<Frame> moved = new ArrayList<>(tops.length);
        for (Frame f : tops) {
            int t = next(f.state, b);
            if (t >= 0) {
                moved.add(new Frame(t, f.parent));
            }
        }
        return moved.isEmpty() ? Position.DEAD : close(moved);
    }

    int next(int s, int b) {
        int[] lo = rangeLo[s];
        int[] hi = rangeHi[s];
        for (int i = 0; i < lo.length; i++) {
            if (b < lo[i]) {
                return -1;
            }
            if (b <= hi[i]) {
                return rangeNext[s][i];
            }
        }
        return -1;
    }

    private Position close(List<Frame> start) {
        // Closures are small (a handful of frames): linear de-duplication beats hashing here.
        ArrayList<Frame> tops = new ArrayList<>(4);
        ArrayList<Frame> seen = new ArrayList<>(8);
        HashSet<Frame> seenSet = null; // once the closure is wide
        boolean accepting = false;
        ArrayDeque<Frame> todo = new ArrayDeque<>(start);
        while (!todo.isEmpty()) {
            Frame f = todo.pop();
            if (seenSet != null ? !seenSet.add(f) : contains(seen, f)) {
                continue;
            }
            seen.add(f);
            if (seenSet == null && seen.size() > 16) {
                seenSet = new HashSet<>(seen);
            }
            if (seen.size() > 100_000) {
                throw new IllegalStateException("constraint too ambiguous: more than 100000 parses alive");
            }
            int s = f.state;
            if (accept[s]) {
                if (f.parent == null) {
                    accepting = true;
                } else {
                    todo.push(f.parent);
                }
            }
            if (rangeNext[s].length > 0) {
                tops.add(f);
            }
            for (int i = 0; i < callRule[s].length; i++) {
                todo.push(new Frame(ruleStart[callRule[s][i]], new Frame(callNext[s][i], f.parent)));
            }
        }
        return new Position(tops.toArray(new Frame[0]), accepting);
    }

    private static boolean contains(ArrayList<Frame> list, Frame f) {
        for (Frame x : list) {
            if (x.equals(f)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The bytes every valid continuation of {@code p} starts with (at most {@code limit}): empty
     * when the next byte is a choice or the output may end here. For jump-forward decoding.
     */
    byte[] forcedBytes(Position p, int limit) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (out.size() < limit && !p.accepting && p.tops.length > 0) {
            int only = -1;
            for (Frame f : p.tops) {
                int[] lo = rangeLo[f.state];
                int[] hi = rangeHi[f.state];
                for (int i = 0; i < lo.length; i++) {
                    if (lo[i] != hi[i] || (only >= 0 && only != lo[i])) {
                        return out.toByteArray();
                    }
                    only = lo[i];
                }
            }
            p = step(p, only);
            out.write(only);
        }
        return out.toByteArray();
    }

    /** Fewest bytes that complete the output from {@code p} (0 when it can end here). */
    long minCompletion(Position p) {
        if (p.accepting) {
            return 0;
        }
        long best = Long.MAX_VALUE;
        for (Frame f : p.tops) {
            long d = 0;
            for (Frame x = f; x != null; x = x.parent) {
                d += dist[x.state];
            }
            best = Math.min(best, d);
        }
        return best;
    }

    // ---- construction -----------------------------------------------------------------------

    private static final class DState {
        int[] lo = NONE;
        int[] hi = NONE;
        int[] next = NONE;
        int[] callRule = NONE;
        int[] callNext = NONE;
        boolean accept;
    }

    static final class IntList {
        int[] a = new int[8];
        int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return n == 0 ? NONE : Arrays.copyOf(a, n);
        }
    }

    /** A Thompson NFA for one rule: epsilon, byte-range and call edges. */
    private static final class Nfa {
        private final String kind;
        private final Map<String, Integer> rules;
        final List<IntList> eps = new ArrayList<>();
        final List<List<int[]>> ranges = new ArrayList<>(); // {lo, hi, target}
        final List<List<int[]>> calls = new ArrayList<>(); // {rule, target}

        Nfa(String kind, Map<String, Integer> rules) {
            this.kind = kind;
            this.rules = rules;
            newState();
        }

        int newState() {
            if (eps.size() > MAX_STATES) {
                throw new UnsupportedConstraintException("size", "the constraint is too large to compile (more than " + MAX_STATES + " states)");
            }
            eps.add(new IntList());
            ranges.add(new ArrayList<>(1));
            calls.add(new ArrayList<>(0));
            return eps.size() - 1;
        }

        int build(Expr e, int from) {
            switch (e) {
                case Expr.ByteRange r -> {
                    int s = newState();
                    ranges.get(from).add(new int[] {r.lo(), r.hi(), s});
                    return s;
                }
                case Expr.Seq seq -> {
                    int cur = from;
                    for (Expr item : seq.items()) {
                        cur = build(item, cur);
                    }
                    return cur;
                }
                case Expr.Alt alt -> {
                    int end = newState();
                    for (Expr item : alt.items()) {
                        int s = newState();
                        eps.get(from).add(s);
                        eps.get(build(item, s)).add(end);
                    }
                    return end;
                }
                case Expr.Ref ref -> {
                    Integer rule = rules.get(ref.rule());
                    if (rule == null) {
                        throw new InvalidConstraintException(kind, "the grammar refers to an undefined rule '" + ref.rule() + "'");
                    }
                    int s = newState();
                    calls.get(from).add(new int[] {rule, s});
                    return s;
                }
                case Expr.Repeat rep -> {
                    int cur = from;
                    for (int i = 0; i < rep.min(); i++) {
                        cur = build(rep.item(), cur);
                    }
                    if (rep.max() < 0) {
                        int loop = newState();
                        eps.get(cur).add(loop);
                        eps.get(build(rep.item(), loop)).add(loop);
                        int out = newState();
                        eps.get(loop).add(out);
                        return out;
                    }
                    int end = newState();
                    for (int i = rep.min(); i < rep.max(); i++) {
                        eps.get(cur).add(end);
                        int s = newState();
                        eps.get(cur).add(s);
                        cur = build(rep.item(), s);
                    }
                    eps.get(cur).add(end);
                    return end;
                }
            }
        }

        private BitSet closure(BitSet set) {
            BitSet out = (BitSet) set.clone();
            ArrayDeque<Integer> todo = new ArrayDeque<>();
            set.stream().forEach(todo::push);
            while (!todo.isEmpty()) {
                int s = todo.pop();
                IntList e = eps.get(s);
                for (int i = 0; i < e.n; i++) {
                    if (!out.get(e.a[i])) {
                        out.set(e.a[i]);
                        todo.push(e.a[i]);
                    }
                }
            }
            return out;
        }

        /** Subset construction; appends this rule's DFA states to {@code out} (its start first). */
        void determinize(int end, List<DState> out) {
            int base = out.size();
            Map<BitSet, Integer> ids = new HashMap<>();
            List<BitSet> sets = new ArrayList<>();
            BitSet start = new BitSet();
            start.set(0);
            start = closure(start);
            ids.put(start, 0);
            sets.add(start);
            out.add(new DState());
            for (int k = 0; k < sets.size(); k++) {
                BitSet cur = sets.get(k);
                DState d = out.get(base + k);
                d.accept = cur.get(end);
                // byte edges: split into elementary intervals, each with its target set
                TreeBounds bounds = new TreeBounds();
                List<int[]> edges = new ArrayList<>();
                Map<Integer, BitSet> callTargets = new java.util.TreeMap<>();
                for (int s = cur.nextSetBit(0); s >= 0; s = cur.nextSetBit(s + 1)) {
                    for (int[] r : ranges.get(s)) {
                        edges.add(r);
                        bounds.add(r[0]);
                        bounds.add(r[1] + 1);
                    }
                    for (int[] c : calls.get(s)) {
                        callTargets.computeIfAbsent(c[0], x -> new BitSet()).set(c[1]);
                    }
                }
                IntList lo = new IntList();
                IntList hi = new IntList();
                IntList next = new IntList();
                int[] b = bounds.sorted();
                for (int i = 0; i + 1 < b.length; i++) {
                    int a = b[i];
                    int z = b[i + 1] - 1;
                    BitSet target = new BitSet();
                    for (int[] r : edges) {
                        if (r[0] <= a && z <= r[1]) {
                            target.set(r[2]);
                        }
                    }
                    if (target.isEmpty()) {
                        continue;
                    }
                    int t = id(closure(target), ids, sets, out);
                    if (next.n > 0 && next.a[next.n - 1] == base + t && hi.a[hi.n - 1] == a - 1) {
                        hi.a[hi.n - 1] = z;
                    } else {
                        lo.add(a);
                        hi.add(z);
                        next.add(base + t);
                    }
                }
                d.lo = lo.toArray();
                d.hi = hi.toArray();
                d.next = next.toArray();
                IntList cr = new IntList();
                IntList cn = new IntList();
                for (Map.Entry<Integer, BitSet> c : callTargets.entrySet()) {
                    cr.add(c.getKey());
                    cn.add(base + id(closure(c.getValue()), ids, sets, out));
                }
                d.callRule = cr.toArray();
                d.callNext = cn.toArray();
            }
        }

        private int id(BitSet set, Map<BitSet, Integer> ids, List<BitSet> sets, List<DState> out) {
            Integer id = ids.get(set);
            if (id == null) {
                if (out.size() > MAX_STATES) {
                    throw new UnsupportedConstraintException("size", "the constraint is too large to compile (more than " + MAX_STATES + " states)");
                }
                id = sets.size();
                ids.put(set, id);
                sets.add(set);
                out.add(new DState());
            }
            return id;
        }
    }

    private static final class TreeBounds {
        private final java.util.TreeSet<Integer> set = new java.util.TreeSet<>();

        void add(int v) {
            set.add(v);
        }

        int[] sorted() {
            return set.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}

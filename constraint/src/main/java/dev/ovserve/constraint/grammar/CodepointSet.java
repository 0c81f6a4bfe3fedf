package dev.ovserve.constraint.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An immutable set of Unicode code points as sorted, disjoint, non-adjacent ranges. */
public final class CodepointSet {
    public static final int MAX = 0x10FFFF;
    public static final CodepointSet EMPTY = new CodepointSet(new int[0]);
    public static final CodepointSet ALL = range(0, MAX);

    private final int[] bounds; // lo0, hi0, lo1, hi1, ... inclusive

    private CodepointSet(int[] bounds) {
        this.bounds = bounds;
    }

    public static CodepointSet range(int lo, int hi) {
        return lo > hi ? EMPTY : new CodepointSet(new int[] {lo, hi});
    }

    public static CodepointSet of(int cp) {
        return range(cp, cp);
    }

    public static CodepointSet chars(String chars) {
        CodepointSet s = EMPTY;
        for (int cp : chars.codePoints().toArray()) {
            s = s.union(of(cp));
        }
        return s;
    }

    public int rangeCount() {
        return bounds.length / 2;
    }

    public int lo(int i) {
        return bounds[2 * i];
    }

    public int hi(int i) {
        return bounds[2 * i + 1];
    }

    public boolean isEmpty() {
        return bounds.length == 0;
    }

    public boolean contains(int cp) {
        for (int i = 0; i < rangeCount(); i++) {
            if (cp >= lo(i) && cp <= hi(i)) {
                return true;
            }
        }
        return false;
    }

    public CodepointSet union(CodepointSet other) {
        List<int[]> all = new ArrayList<>();
        for (int i = 0; i < rangeCount(); i++) {
            all.add(new int[] {lo(i), hi(i)});
        }
        for (int i = 0; i < other.rangeCount(); i++) {
            all.add(new int[] {other.lo(i), other.hi(i)});
        }
        all.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<Integer> out = new ArrayList<>();
        for (int[] r : all) {
            int n = out.size();
            if (n > 0 && r[0] <= out.get(n - 1) + 1) {
                out.set(n - 1, Math.max(out.get(n - 1), r[1]));
            } else {
                out.add(r[0]);
                out.add(r[1]);
            }
        }
        return new CodepointSet(out.stream().mapToInt(Integer::intValue).toArray());
    }

    public CodepointSet complement() {
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < rangeCount(); i++) {
            if (lo(i) > next) {
                out.add(next);
                out.add(lo(i) - 1);
            }
            next = hi(i) + 1;
        }
        if (next <= MAX) {
            out.add(next);
            out.add(MAX);
        }
        return new CodepointSet(out.stream().mapToInt(Integer::intValue).toArray());
    }

    public CodepointSet minus(CodepointSet other) {
        return complement().union(other).complement();
    }

    public CodepointSet intersect(CodepointSet other) {
        return complement().union(other.complement()).complement();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodepointSet c && Arrays.equals(bounds, c.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }
}

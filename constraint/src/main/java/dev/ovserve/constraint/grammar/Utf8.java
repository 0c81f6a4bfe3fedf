package dev.ovserve.constraint.grammar;

import java.util.ArrayList;
import java.util.List;

/** Code point sets to byte-level expressions: each range split into UTF-8 byte-range sequences. */
public final class Utf8 {
    private Utf8() {}

    /** The UTF-8 encodings of every code point in {@code set} (surrogates excluded). */
    public static Expr encode(CodepointSet set) {
        List<Expr> out = new ArrayList<>();
        for (int i = 0; i < set.rangeCount(); i++) {
            split(set.lo(i), set.hi(i), out);
        }
        return out.isEmpty() ? new Expr.Alt(List.of()) : Expr.alt(out);
    }

    private static void split(int lo, int hi, List<Expr> out) {
        if (lo > hi) {
            return;
        }
        if (lo <= 0xDFFF && hi >= 0xD800) {
            split(lo, 0xD7FF, out);
            split(0xE000, hi, out);
            return;
        }
        for (int boundary : new int[] {0x7F, 0x7FF, 0xFFFF}) {
            if (lo <= boundary && hi > boundary) {
                split(lo, boundary, out);
                split(boundary + 1, hi, out);
                return;
            }
        }
        if (hi <= 0x7F) {
            out.add(new Expr.ByteRange(lo, hi));
            return;
        }
        int n = length(lo);
        for (int i = 1; i < n; i++) {
            int m = (1 << (6 * i)) - 1;
            if ((lo & ~m) != (hi & ~m)) {
                if ((lo & m) != 0) {
                    split(lo, lo | m, out);
                    split((lo | m) + 1, hi, out);
                    return;
                }
                if ((hi & m) != m) {
                    split(lo, (hi & ~m) - 1, out);
                    split(hi & ~m, hi, out);
                    return;
                }
            }
        }
        byte[] a = bytes(lo);
        byte[] b = bytes(hi);
        List<Expr> seq = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            seq.add(new Expr.ByteRange(a[i] & 0xFF, b[i] & 0xFF));
        }
        out.add(Expr.seq(seq));
    }

    private static int length(int cp) {
        return cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;
    }

    static byte[] bytes(int cp) {
        return new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}

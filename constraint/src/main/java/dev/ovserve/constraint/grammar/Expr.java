package dev.ovserve.constraint.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A grammar expression over bytes: what every front end (schema, regex, GBNF) compiles to. */
public sealed interface Expr {
    /** One byte in {@code [lo, hi]} (0..255). */
    record ByteRange(int lo, int hi) implements Expr {}

    record Seq(List<Expr> items) implements Expr {}

    record Alt(List<Expr> items) implements Expr {}

    /** {@code item} repeated min..max times; max {@code -1} is unbounded. */
    record Repeat(Expr item, int min, int max) implements Expr {}

    /** A call of another rule of the grammar. */
    record Ref(String rule) implements Expr {}

    Expr EMPTY = new Seq(List.of());

    static Expr seq(Expr... items) {
        return items.length == 1 ? items[0] : new Seq(List.of(items));
    }

    static Expr seq(List<Expr> items) {
        return items.size() == 1 ? items.getFirst() : new Seq(List.copyOf(items));
    }

    static Expr alt(Expr... items) {
        return items.length == 1 ? items[0] : new Alt(List.of(items));
    }

    static Expr alt(List<Expr> items) {
        return items.size() == 1 ? items.getFirst() : new Alt(List.copyOf(items));
    }

    static Expr opt(Expr e) {
        return new Repeat(e, 0, 1);
    }

    static Expr star(Expr e) {
        return new Repeat(e, 0, -1);
    }

    static Expr plus(Expr e) {
        return new Repeat(e, 1, -1);
    }

    static Expr ref(String rule) {
        return new Ref(rule);
    }

    static Expr bytes(byte[] b) {
        List<Expr> items = new ArrayList<>(b.length);
        for (byte x : b) {
            items.add(new ByteRange(x & 0xFF, x & 0xFF));
        }
        return seq(items);
    }

    static Expr literal(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** One of the given ASCII characters. */
    static Expr anyOf(String chars) {
        List<Expr> items = new ArrayList<>();
        char[] cs = chars.toCharArray();
        Arrays.sort(cs);
        for (char c : cs) {
            items.add(new ByteRange(c, c));
        }
        return alt(items);
    }
}

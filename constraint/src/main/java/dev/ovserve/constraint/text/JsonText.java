package dev.ovserve.constraint.text;

import dev.ovserve.constraint.grammar.CodepointSet;
import dev.ovserve.constraint.grammar.Expr;
import dev.ovserve.constraint.grammar.Utf8;
import java.util.ArrayList;
import java.util.List;

/** How characters are written inside a JSON string, as byte expressions. */
public final class JsonText {
    private JsonText() {}

    /** Characters that must be escaped inside a JSON string. */
    static final CodepointSet SPECIAL = CodepointSet.range(0, 0x1F).union(CodepointSet.chars("\"\\"));

    private static final Expr HEX = Utf8.encode(CodepointSet.range('0', '9').union(CodepointSet.range('a', 'f')).union(CodepointSet.range('A', 'F')));

    /**
     * Any one character of a JSON string as it may be written: a raw character, a short escape, or
     * {@code \}{@code uXXXX} of a non-surrogate code point.
     */
    public static Expr anyStringChar() {
        Expr notSurrogateHex4 = Expr.alt(
                Expr.seq(Utf8.encode(CodepointSet.range('0', '9').union(CodepointSet.range('a', 'c')).union(CodepointSet.range('A', 'C'))
                        .union(CodepointSet.range('e', 'f')).union(CodepointSet.range('E', 'F'))), HEX, HEX, HEX),
                Expr.seq(Expr.anyOf("dD"), Expr.anyOf("01234567"), HEX, HEX));
        return Expr.alt(
                Utf8.encode(CodepointSet.ALL.minus(SPECIAL)),
                Expr.seq(Expr.literal("\\"), Expr.alt(Expr.anyOf("\"\\/bfnrt"), Expr.seq(Expr.literal("u"), notSurrogateHex4))));
    }

    /**
     * The characters of {@code set}, each written one canonical way: raw, or for the characters
     * JSON must escape, the short escape or {@code \}{@code u00XX}. One spelling per character keeps
     * the language of a pattern (or of keys that must differ from given names) exact.
     */
    public static Expr canonical(CodepointSet set) {
        List<Expr> alts = new ArrayList<>();
        CodepointSet raw = set.minus(SPECIAL);
        if (!raw.isEmpty()) {
            alts.add(Utf8.encode(raw));
        }
        CodepointSet special = set.intersect(SPECIAL);
        for (int i = 0; i < special.rangeCount(); i++) {
            for (int c = special.lo(i); c <= special.hi(i); c++) {
                alts.add(Expr.literal(escape(c)));
            }
        }
        return alts.isEmpty() ? new Expr.Alt(List.of()) : Expr.alt(alts);
    }

    static String escape(int c) {
        return switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> String.format("\\u%04x", c);
        };
    }

    /** A code point's canonical spelling inside a JSON string. */
    static String canonicalText(int c) {
        return SPECIAL.contains(c) ? escape(c) : new String(Character.toChars(c));
    }
}

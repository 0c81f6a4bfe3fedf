package dev.ovserve.constraint.text;

import dev.ovserve.constraint.InvalidConstraintException;
import dev.ovserve.constraint.grammar.CodepointSet;
import dev.ovserve.constraint.grammar.Expr;
import dev.ovserve.constraint.grammar.Grammar;
import dev.ovserve.constraint.grammar.Utf8;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's GBNF: {@code name ::= alternatives} rules, start rule {@code root}, string
 * literals, character classes ({@code [a-z]}, {@code [^"]}), {@code .}, groups, {@code * + ?}
 * and {@code {m}}, {@code {m,}}, {@code {m,n}}; {@code #} comments. A rule ends where the next
 * {@code name ::=} begins, so multi-line rules need no special layout.
 */
public final class GbnfParser {
    private final String src;
    private int pos;

    private GbnfParser(String src) {
        this.src = src;
    }

    public static Grammar parse(String gbnf) {
        GbnfParser p = new GbnfParser(gbnf);
        Grammar g = new Grammar("root");
        p.space();
        if (p.pos >= gbnf.length()) {
            throw new InvalidConstraintException("grammar", "the grammar is empty");
        }
        while (p.pos < gbnf.length()) {
            String name = p.name();
            p.space();
            if (!gbnf.startsWith("::=", p.pos)) {
                throw p.invalid("expected '::=' after rule name '" + name + "'");
            }
            p.pos += 3;
            p.space();
            Expr body = p.alternatives();
            if (g.has(name)) {
                throw p.invalid("rule '" + name + "' is defined twice");
            }
            g.define(name, body);
        }
        if (!g.has("root")) {
            throw new InvalidConstraintException("grammar", "the grammar has no 'root' rule");
        }
        return g;
    }

    private Expr alternatives() {
        List<Expr> alts = new ArrayList<>();
        alts.add(sequence());
        while (pos < src.length() && src.charAt(pos) == '|') {
            pos++;
            space();
            alts.add(sequence());
        }
        return Expr.alt(alts);
    }

    private Expr sequence() {
        List<Expr> items = new ArrayList<>();
        while (pos < src.length() && src.charAt(pos) != '|' && src.charAt(pos) != ')' && !atRuleStart()) {
            Expr atom = atom();
            space();
            while (pos < src.length()) {
                char c = src.charAt(pos);
                if (c == '*') {
                    atom = Expr.star(atom);
                } else if (c == '+') {
                    atom = Expr.plus(atom);
                } else if (c == '?') {
                    atom = Expr.opt(atom);
                } else if (c == '{') {
                    pos++;
                    space();
                    int min = number();
                    int max = min;
                    space();
                    if (src.charAt(pos) == ',') {
                        pos++;
                        space();
                        max = src.charAt(pos) == '}' ? -1 : number();
                        space();
                    }
                    if (src.charAt(pos) != '}') {
                        throw invalid("expected '}'");
                    }
                    if (min > RegexParser.MAX_REPEAT || max > RegexParser.MAX_REPEAT || (max >= 0 && max < min)) {
                        throw invalid("bad repetition {" + min + "," + max + "}");
                    }
                    atom = new Expr.Repeat(atom, min, max);
                } else {
                    break;
                }
                pos++;
                space();
            }
            items.add(atom);
        }
        return Expr.seq(items.isEmpty() ? List.of(Expr.EMPTY) : items);
    }

    private boolean atRuleStart() {
        int save = pos;
        try {
            if (pos >= src.length() || !isNameChar(src.charAt(pos))) {
                return false;
            }
            name();
            space();
            return src.startsWith("::=", pos);
        } finally {
            pos = save;
        }
    }

    private Expr atom() {
        char c = src.charAt(pos);
        switch (c) {
            case '"' -> {
                pos++;
                List<Expr> chars = new ArrayList<>();
                while (true) {
                    if (pos >= src.length()) {
                        throw invalid("unterminated string literal");
                    }
                    if (src.charAt(pos) == '"') {
                        pos++;
                        break;
                    }
                    chars.add(Utf8.encode(CodepointSet.of(charOrEscape())));
                }
                return Expr.seq(chars.isEmpty() ? List.of(Expr.EMPTY) : chars);
            }
            case '[' -> {
                pos++;
                boolean negate = pos < src.length() && src.charAt(pos) == '^';
                if (negate) {
                    pos++;
                }
                CodepointSet set = CodepointSet.EMPTY;
                while (true) {
                    if (pos >= src.length()) {
                        throw invalid("unterminated character class");
                    }
                    if (src.charAt(pos) == ']') {
                        pos++;
                        break;
                    }
                    int lo = charOrEscape();
                    if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                        pos++;
                        int hi = charOrEscape();
                        if (hi < lo) {
                            throw invalid("character range out of order");
                        }
                        set = set.union(CodepointSet.range(lo, hi));
                    } else {
                        set = set.union(CodepointSet.of(lo));
                    }
                }
                return Utf8.encode(negate ? set.complement() : set);
            }
            case '.' -> {
                pos++;
                return Utf8.encode(CodepointSet.ALL);
            }
            case '(' -> {
                pos++;
                space();
                Expr e = alternatives();
                if (pos >= src.length() || src.charAt(pos) != ')') {
                    throw invalid("expected ')'");
                }
                pos++;
                return e;
            }
            default -> {
                if (isNameChar(c)) {
                    return Expr.ref(name());
                }
                throw invalid("unexpected '" + c + "'");
            }
        }
    }

    private int charOrEscape() {
        int c = src.codePointAt(pos);
        pos += Character.charCount(c);
        if (c != '\\') {
            return c;
        }
        if (pos >= src.length()) {
            throw invalid("trailing backslash");
        }
        char e = src.charAt(pos++);
        return switch (e) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case '\\', '"', '[', ']', '-', '^' -> e;
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            default -> throw invalid("unknown escape '\\" + e + "'");
        };
    }

    private int hex(int n) {
        if (pos + n > src.length()) {
            throw invalid("truncated escape");
        }
        try {
            int v = Integer.parseInt(src.substring(pos, pos + n), 16);
            pos += n;
            if (v > CodepointSet.MAX) {
                throw invalid("code point out of range");
            }
            return v;
        } catch (NumberFormatException ex) {
            throw invalid("bad hex escape");
        }
    }

    private int number() {
        int start = pos;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
            pos++;
        }
        if (start == pos || pos - start > 6) {
            throw invalid("expected a repetition count");
        }
        return Integer.parseInt(src.substring(start, pos));
    }

    private String name() {
        int start = pos;
        while (pos < src.length() && isNameChar(src.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw invalid("expected a rule name");
        }
        return src.substring(start, pos);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private void space() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else {
                return;
            }
        }
    }

    private InvalidConstraintException invalid(String what) {
        int line = 1;
        for (int i = 0; i < Math.min(pos, src.length()); i++) {
            line += src.charAt(i) == '\n' ? 1 : 0;
        }
        return new InvalidConstraintException("grammar", "invalid GBNF grammar at line " + line + ": " + what);
    }
}

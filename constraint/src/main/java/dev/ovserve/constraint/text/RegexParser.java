package dev.ovserve.constraint.text;

import dev.ovserve.constraint.InvalidConstraintException;
import dev.ovserve.constraint.UnsupportedConstraintException;
import dev.ovserve.constraint.grammar.CodepointSet;
import dev.ovserve.constraint.grammar.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * ECMAScript-style regular expressions (the dialect of JSON Schema's {@code pattern}) to a byte
 * grammar. Characters become whatever {@code encoder} makes of a code point set: raw UTF-8 for a
 * bare regex, JSON string escapes inside a JSON string. Lookaround, backreferences, word
 * boundaries and flags are refused by name; lazy quantifiers match the same language as greedy.
 */
public final class RegexParser {
    public static final int MAX_REPEAT = 2000;

    private static final CodepointSet DIGIT = CodepointSet.range('0', '9');
    private static final CodepointSet WORD = CodepointSet.range('a', 'z').union(CodepointSet.range('A', 'Z')).union(DIGIT).union(CodepointSet.of('_'));
    private static final CodepointSet SPACE = CodepointSet.chars("\t\n\u000B\f\r \u00A0\u1680\u2028\u2029\u202F\u205F\u3000\uFEFF").union(CodepointSet.range(0x2000, 0x200A));
    private static final CodepointSet DOT = CodepointSet.chars("\n\r\u2028\u2029").complement();

    private final String src;
    private final Function<CodepointSet, Expr> encoder;
    private final String param;
    private int pos;

    private RegexParser(String src, Function<CodepointSet, Expr> encoder, String param) {
        this.src = src;
        this.encoder = encoder;
        this.param = param;
    }

    /**
     * @param fullMatch true: the whole output must match (anchors optional); false: JSON Schema
     *                  semantics, a match anywhere unless anchored with {@code ^}/{@code $}
     */
    public static Expr parse(String pattern, boolean fullMatch, Function<CodepointSet, Expr> encoder, String param) {
        RegexParser p = new RegexParser(pattern, encoder, param);
        Expr e = p.top(fullMatch);
        if (p.pos != pattern.length()) {
            throw p.invalid("unbalanced ')'");
        }
        return e;
    }

    private Expr top(boolean fullMatch) {
        List<Expr> branches = new ArrayList<>();
        while (true) {
            boolean anchoredStart = eat('^');
            List<Expr> items = new ArrayList<>();
            boolean anchoredEnd = false;
            while (pos < src.length() && peek() != '|' && peek() != ')') {
                if (peek() == '$') {
                    pos++;
                    if (pos < src.length() && peek() != '|') {
                        throw unsupported("$", "an end anchor '$' is only supported at the end of the pattern");
                    }
                    anchoredEnd = true;
                    break;
                }
                items.add(quantified());
            }
            Expr body = Expr.seq(items.isEmpty() ? List.of(Expr.EMPTY) : items);
            if (!fullMatch) {
                Expr any = Expr.star(encoder.apply(CodepointSet.ALL));
                body = Expr.seq(anchoredStart ? Expr.EMPTY : any, body, anchoredEnd ? Expr.EMPTY : any);
            }
            branches.add(body);
            if (!eat('|')) {
                return Expr.alt(branches);
            }
        }
    }

    private Expr alternation() {
        List<Expr> branches = new ArrayList<>();
        while (true) {
            List<Expr> items = new ArrayList<>();
            while (pos < src.length() && peek() != '|' && peek() != ')') {
                items.add(quantified());
            }
            branches.add(Expr.seq(items.isEmpty() ? List.of(Expr.EMPTY) : items));
            if (!eat('|')) {
                return Expr.alt(branches);
            }
        }
    }

    private Expr quantified() {
        Expr atom = atom();
        while (pos < src.length()) {
            char c = peek();
            int min;
            int max;
            if (c == '*') {
                min = 0;
                max = -1;
                pos++;
            } else if (c == '+') {
                min = 1;
                max = -1;
                pos++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                pos++;
            } else if (c == '{' && isCounted()) {
                pos++;
                min = number();
                max = min;
                if (eat(',')) {
                    max = peek() == '}' ? -1 : number();
                }
                expect('}');
                if (max >= 0 && max < min) {
                    throw invalid("repetition {" + min + "," + max + "} has max < min");
                }
            } else {
                return atom;
            }
            if (min > MAX_REPEAT || max > MAX_REPEAT) {
                throw unsupported("repetition", "repetition counts above " + MAX_REPEAT + " are not supported");
            }
            if (pos < src.length() && peek() == '+') {
                throw unsupported("possessive quantifier", "possessive quantifiers are not supported");
            }
            eat('?'); // lazy: the same language
            atom = new Expr.Repeat(atom, min, max);
        }
        return atom;
    }

    private boolean isCounted() {
        int i = pos + 1;
        int digits = 0;
        while (i < src.length() && Character.isDigit(src.charAt(i))) {
            i++;
            digits++;
        }
        if (digits == 0) {
            return false;
        }
        if (i < src.length() && src.charAt(i) == ',') {
            i++;
            while (i < src.length() && Character.isDigit(src.charAt(i))) {
                i++;
            }
        }
        return i < src.length() && src.charAt(i) == '}';
    }

    private int number() {
        int start = pos;
        while (pos < src.length() && Character.isDigit(peek())) {
            pos++;
        }
        if (start == pos) {
            throw invalid("expected a number at offset " + start);
        }
        try {
            return Integer.parseInt(src.substring(start, pos));
        } catch (NumberFormatException e) {
            throw unsupported("repetition", "repetition count too large");
        }
    }

    private Expr atom() {
        int c = src.codePointAt(pos);
        switch (c) {
            case '(' -> {
                pos++;
                if (eat('?')) {
                    if (eat(':')) {
                        // non-capturing
                    } else if (peek() == '<' && pos + 1 < src.length() && src.charAt(pos + 1) != '=' && src.charAt(pos + 1) != '!') {
                        skipName('>');
                    } else if (peek() == 'P' && pos + 1 < src.length() && src.charAt(pos + 1) == '<') {
                        pos++;
                        skipName('>');
                    } else {
                        throw unsupported("lookaround", "lookahead, lookbehind and inline flags are not supported in regular expressions");
                    }
                }
                Expr e = alternation();
                expect(')');
                return e;
            }
            case '[' -> {
                pos++;
                return encoder.apply(charClass());
            }
            case '.' -> {
                pos++;
                return encoder.apply(DOT);
            }
            case '\\' -> {
                pos++;
                return encoder.apply(escape(false));
            }
            case '^', '$' -> throw unsupported(String.valueOf((char) c), "anchors are only supported at the start ('^') and end ('$') of the pattern");
            case ')' -> throw invalid("unbalanced ')'");
            case '*', '+', '?' -> throw invalid("nothing to repeat at offset " + pos);
            default -> {
                pos += Character.charCount(c);
                return encoder.apply(CodepointSet.of(c));
            }
        }
    }

    private void skipName(char end) {
        pos++;
        int close = src.indexOf(end, pos);
        if (close < 0) {
            throw invalid("unterminated group name");
        }
        pos = close + 1;
    }

    private CodepointSet charClass() {
        boolean negate = eat('^');
        CodepointSet set = CodepointSet.EMPTY;
        boolean first = true;
        while (true) {
            if (pos >= src.length()) {
                throw invalid("unterminated character class");
            }
            if (peek() == ']') {
                pos++;
                break;
            }
            first = false;
            CodepointSet lo = classAtom();
            if (pos < src.length() && peek() == '-' && pos + 1 < src.length() && src.charAt(pos + 1) != ']' && single(lo) >= 0) {
                pos++;
                CodepointSet hi = classAtom();
                if (single(hi) < 0) {
                    set = set.union(lo).union(CodepointSet.of('-')).union(hi);
                } else {
                    if (single(hi) < single(lo)) {
                        throw invalid("character class range out of order");
                    }
                    set = set.union(CodepointSet.range(single(lo), single(hi)));
                }
            } else {
                set = set.union(lo);
            }
        }
        return negate ? set.complement() : set;
    }

    private static int single(CodepointSet s) {
        return s.rangeCount() == 1 && s.lo(0) == s.hi(0) ? s.lo(0) : -1;
    }

    private CodepointSet classAtom() {
        int c = src.codePointAt(pos);
        if (c == '\\') {
            pos++;
            return escape(true);
        }
        if (c == '[' && pos + 1 < src.length() && src.charAt(pos + 1) == ':') {
            throw unsupported("POSIX class", "POSIX character classes like [:alpha:] are not supported");
        }
        pos += Character.charCount(c);
        return CodepointSet.of(c);
    }

    private CodepointSet escape(boolean inClass) {
        if (pos >= src.length()) {
            throw invalid("trailing backslash");
        }
        int c = src.codePointAt(pos);
        pos += Character.charCount(c);
        return switch (c) {
            case 'd' -> DIGIT;
            case 'D' -> DIGIT.complement();
            case 'w' -> WORD;
            case 'W' -> WORD.complement();
            case 's' -> SPACE;
            case 'S' -> SPACE.complement();
            case 't' -> CodepointSet.of('\t');
            case 'n' -> CodepointSet.of('\n');
            case 'r' -> CodepointSet.of('\r');
            case 'f' -> CodepointSet.of('\f');
            case 'v' -> CodepointSet.of(0x0B);
            case '0' -> CodepointSet.of(0);
            case 'b' -> {
                if (inClass) {
                    yield CodepointSet.of(8);
                }
                throw unsupported("\\b", "word boundaries (\\b) are not supported");
            }
            case 'B' -> throw unsupported("\\B", "word boundaries (\\B) are not supported");
            case 'x' -> CodepointSet.of(hex(2));
            case 'u' -> {
                if (eat('{')) {
                    int close = src.indexOf('}', pos);
                    if (close < 0) {
                        throw invalid("unterminated \\u{...}");
                    }
                    int cp = parseHex(src.substring(pos, close));
                    pos = close + 1;
                    yield CodepointSet.of(cp);
                }
                int cp = hex(4);
                if (Character.isHighSurrogate((char) cp) && src.startsWith("\\u", pos)) {
                    pos += 2;
                    int low = hex(4);
                    yield CodepointSet.of(Character.toCodePoint((char) cp, (char) low));
                }
                yield CodepointSet.of(cp);
            }
            case 'p', 'P' -> throw unsupported("\\p", "Unicode property classes (\\p{...}) are not supported");
            case 'c' -> throw unsupported("\\c", "control escapes (\\cX) are not supported");
            case 'k' -> throw unsupported("backreference", "backreferences are not supported");
            default -> {
                if (c >= '1' && c <= '9') {
                    throw unsupported("backreference", "backreferences are not supported");
                }
                if (Character.isLetterOrDigit(c)) {
                    throw invalid("unknown escape \\" + Character.toString(c));
                }
                yield CodepointSet.of(c);
            }
        };
    }

    private int hex(int n) {
        if (pos + n > src.length()) {
            throw invalid("truncated hex escape");
        }
        int v = parseHex(src.substring(pos, pos + n));
        pos += n;
        return v;
    }

    private int parseHex(String s) {
        try {
            int v = Integer.parseInt(s, 16);
            if (v > CodepointSet.MAX) {
                throw invalid("code point out of range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid("bad hex escape '" + s + "'");
        }
    }

    private char peek() {
        return src.charAt(pos);
    }

    private boolean eat(char c) {
        if (pos < src.length() && src.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!eat(c)) {
            throw invalid("expected '" + c + "' at offset " + pos);
        }
    }

    private InvalidConstraintException invalid(String what) {
        return new InvalidConstraintException(param, "invalid regular expression /" + src + "/: " + what);
    }

    private UnsupportedConstraintException unsupported(String feature, String what) {
        return new UnsupportedConstraintException(param, what + " (in /" + src + "/)");
    }
}

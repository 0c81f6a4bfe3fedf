package dev.ovserve.tokenizer.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Rewrites the three Jinja2 constructs that Jinjava's expression parser reads differently, into
 * equivalent forms it reads as Jinja2 does. Only the inside of {@code {{ }}} and {@code {% %}}
 * is touched; text, comments and string literals are copied as they are.
 * <ul>
 *   <li>{@code not} binds looser than comparisons and tests in Jinja2 ({@code not x is defined}
 *       is {@code not (x is defined)}); Jinjava applies it to the operand alone. Its operand is
 *       parenthesized up to the next {@code and}/{@code or}/{@code if}/{@code else}, comma or
 *       closing bracket.</li>
 *   <li>Keyword arguments take a whole expression in Jinja2 ({@code namespace(n=messages|length - 1)});
 *       Jinjava applies the filter to the named parameter. The value is parenthesized.</li>
 *   <li>{@code seq[::-1]} (the one slice step templates use) becomes {@code (seq|reverse|list)}.</li>
 * </ul>
 */
final class Jinja2Syntax {
    private static final Set<String> ENDS_NOT = Set.of("and", "or", "if", "else", ",", ")", "]", "}", "%}", "-%}", "}}", "-}}");

    private Jinja2Syntax() {}

    static String rewrite(String source) {
        StringBuilder out = new StringBuilder(source.length() + 64);
        int i = 0;
        while (i < source.length()) {
            int open = nextOpen(source, i);
            if (open < 0) {
                out.append(source, i, source.length());
                break;
            }
            out.append(source, i, open);
            String closer = source.startsWith("{{", open) ? "}}" : "%}";
            if (source.startsWith("{%", open) && isRaw(source, open)) {
                int end = source.indexOf("endraw", open);
                int stop = end < 0 ? source.length() : Math.min(source.length(), source.indexOf("%}", end) + 2);
                out.append(source, open, stop);
                i = stop;
                continue;
            }
            int close = findClose(source, open + 2, closer);
            if (close < 0) {
                out.append(source, open, source.length());
                break;
            }
            // Whitespace-control marks ({{- -}} {%+ %}) stay outside the rewritten expression.
            int from = open + 2;
            int to = close;
            if (from < to && (source.charAt(from) == '-' || source.charAt(from) == '+')) {
                from++;
            }
            if (to > from && (source.charAt(to - 1) == '-' || source.charAt(to - 1) == '+')) {
                to--;
            }
            out.append(source, open, from);
            out.append(rewriteExpression(source.substring(from, to)));
            out.append(source, to, close + 2);
            i = close + 2;
        }
        return out.toString();
    }

    /** The next {@code {{} or {@code {%} outside comments; comments are skipped whole. */
    private static int nextOpen(String s, int from) {
        int i = from;
        while (true) {
            int brace = s.indexOf('{', i);
            if (brace < 0 || brace + 1 >= s.length()) {
                return -1;
            }
            char c = s.charAt(brace + 1);
            if (c == '{' || c == '%') {
                return brace;
            }
            if (c == '#') {
                int end = s.indexOf("#}", brace + 2);
                if (end < 0) {
                    return -1;
                }
                i = end + 2;
                continue;
            }
            i = brace + 1;
        }
    }

    private static boolean isRaw(String s, int open) {
        int j = open + 2;
        while (j < s.length() && (s.charAt(j) == '-' || s.charAt(j) == '+' || Character.isWhitespace(s.charAt(j)))) {
            j++;
        }
        return s.startsWith("raw", j) && (j + 3 >= s.length() || !Character.isLetterOrDigit(s.charAt(j + 3)));
    }

    /** The closing delimiter, skipping string literals. */
    private static int findClose(String s, int from, String closer) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i);
            } else if (s.startsWith(closer, i)) {
                return i;
            }
        }
        return -1;
    }

    private static int stringEnd(String s, int start) {
        char q = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == q) {
                return i;
            }
        }
        return s.length() - 1;
    }

    /** Tokens with their exact text (whitespace kept as tokens), so joining them gives the input back. */
    private static List<String> tokens(String e) {
        List<String> t = new ArrayList<>();
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            int j = i + 1;
            if (Character.isWhitespace(c)) {
                while (j < e.length() && Character.isWhitespace(e.charAt(j))) {
                    j++;
                }
            } else if (c == '\'' || c == '"') {
                j = stringEnd(e, i) + 1;
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                while (j < e.length() && (Character.isLetterOrDigit(e.charAt(j)) || e.charAt(j) == '_')) {
                    j++;
                }
            } else if ((c == '=' || c == '!' || c == '<' || c == '>') && j < e.length() && e.charAt(j) == '=') {
                j++;
            }
            t.add(e.substring(i, j));
            i = j;
        }
        return t;
    }

    static String rewriteExpression(String e) {
        List<String> t = tokens(e);
        t = reverseSlices(t);
        t = wrapKeywordValues(t);
        t = wrapNot(t);
        return String.join("", t);
    }

    private static boolean blank(String tok) {
        return tok.isBlank();
    }

    private static boolean opens(String tok) {
        return tok.equals("(") || tok.equals("[") || tok.equals("{");
    }

    private static boolean closes(String tok) {
        return tok.equals(")") || tok.equals("]") || tok.equals("}");
    }

    /** {@code x[::-1]} → {@code (x|reverse|list)}, x being the primary (names, dots, calls, subscripts) before it. */
    private static List<String> reverseSlices(List<String> t) {
        for (int i = 0; i + 5 < t.size(); i++) {
            if (t.get(i).equals("[") && t.get(i + 1).equals(":") && t.get(i + 2).equals(":") && t.get(i + 3).equals("-")
                    && t.get(i + 4).equals("1") && t.get(i + 5).equals("]")) {
                int start = i;
                int depth = 0;
                while (start > 0) {
                    String p = t.get(start - 1);
                    if (closes(p)) {
                        depth++;
                    } else if (opens(p)) {
                        if (depth == 0) {
                            break;
                        }
                        depth--;
                    } else if (depth == 0 && !(p.equals(".") || Character.isLetterOrDigit(p.charAt(0)) || p.charAt(0) == '_')) {
                        break;
                    }
                    start--;
                }
                List<String> r = new ArrayList<>(t.subList(0, start));
                r.add("(");
                r.addAll(t.subList(start, i));
                r.add("|reverse|list)");
                r.addAll(t.subList(i + 6, t.size()));
                t = r;
            }
        }
        return t;
    }

    /** Inside call parentheses, {@code name=value} → {@code name=(value)}. */
    private static List<String> wrapKeywordValues(List<String> t) {
        List<String> r = new ArrayList<>(t.size() + 8);
        List<Character> stack = new ArrayList<>();
        List<Integer> pendingClose = new ArrayList<>(); // depth at which a "(value" is open
        for (int i = 0; i < t.size(); i++) {
            String tok = t.get(i);
            boolean inCall = !stack.isEmpty() && stack.getLast() == '(';
            if (inCall && !pendingClose.isEmpty() && pendingClose.getLast() == stack.size()
                    && (tok.equals(",") || tok.equals(")"))) {
                r.add(")");
                pendingClose.removeLast();
            }
            if (opens(tok)) {
                stack.add(tok.charAt(0));
            } else if (closes(tok) && !stack.isEmpty()) {
                stack.removeLast();
            }
            r.add(tok);
            if (inCall && tok.equals("=") && isKeyword(t, i)) {
                r.add("(");
                pendingClose.add(stack.size());
            }
        }
        return r;
    }

    /** {@code =} preceded by a bare name, which follows {@code (} or {@code ,}. */
    private static boolean isKeyword(List<String> t, int eq) {
        int j = eq - 1;
        while (j >= 0 && blank(t.get(j))) {
            j--;
        }
        if (j < 0 || !(Character.isLetter(t.get(j).charAt(0)) || t.get(j).charAt(0) == '_')) {
            return false;
        }
        int k = j - 1;
        while (k >= 0 && blank(t.get(k))) {
            k--;
        }
        return k >= 0 && (t.get(k).equals("(") || t.get(k).equals(","));
    }

    /** {@code not a OP b} → {@code not (a OP b)} when a comparison or test follows the operand. */
    private static List<String> wrapNot(List<String> t) {
        for (int i = 0; i < t.size(); i++) {
            if (!t.get(i).equals("not") || isPartOfOperator(t, i)) {
                continue;
            }
            int end = i + 1;
            int depth = 0;
            boolean comparison = false;
            for (; end < t.size(); end++) {
                String tok = t.get(end);
                if (opens(tok)) {
                    depth++;
                } else if (closes(tok)) {
                    if (depth == 0) {
                        break;
                    }
                    depth--;
                } else if (depth == 0 && ENDS_NOT.contains(tok)) {
                    break;
                } else if (depth == 0 && (tok.equals("is") || tok.equals("in") || tok.equals("==") || tok.equals("!=")
                        || tok.equals("<") || tok.equals(">") || tok.equals("<=") || tok.equals(">="))) {
                    comparison = true;
                }
            }
            if (!comparison) {
                continue;
            }
            int last = end;
            while (last > i + 1 && blank(t.get(last - 1))) {
                last--;
            }
            List<String> r = new ArrayList<>(t.subList(0, i + 1));
            r.add(" (");
            r.addAll(t.subList(i + 1, last));
            r.add(")");
            r.addAll(t.subList(last, t.size()));
            t = r;
            i++; // inner "not"s are reached and handled on later iterations
        }
        return t;
    }

    /** {@code is not} and {@code not in} are operators of their own. */
    private static boolean isPartOfOperator(List<String> t, int i) {
        int p = i - 1;
        while (p >= 0 && blank(t.get(p))) {
            p--;
        }
        if (p >= 0 && t.get(p).equals("is")) {
            return true;
        }
        int n = i + 1;
        while (n < t.size() && blank(t.get(n))) {
            n++;
        }
        return n < t.size() && t.get(n).equals("in");
    }
}

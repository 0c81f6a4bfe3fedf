package dev.ovserve.constraint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.sampling.ConstraintState;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The mask against an independent oracle: random regexes with finite languages over a small
 * alphabet (ASCII, a 2-byte and a 3-byte character), their languages enumerated with
 * {@link java.util.regex}, and a vocabulary that splits characters mid-UTF-8. At every prefix of
 * every match, a token must be allowed exactly when some match starts with prefix + token, and
 * EOS exactly when the prefix is itself a match.
 */
class RegexMaskExactnessTest {
    private static final String[] ALPHABET = {"a", "b", ".", "é", "日"};
    private static final int TRIES = Integer.getInteger("ovserve.property.tries", 80);

    @Test
    void masksMatchTheEnumeratedLanguageExactly() {
        Vocabulary vocab = vocabulary();
        ConstraintCompiler compiler = new ConstraintCompiler(vocab);
        SplittableRandom seeds = new SplittableRandom(Long.getLong("ovserve.property.seed", 15L));
        int checkedPrefixes = 0;
        for (int t = 0; t < TRIES; t++) {
            long seed = seeds.nextLong();
            SplittableRandom r = new SplittableRandom(seed);
            String regex = regex(r, 3);
            List<byte[]> language = enumerate(regex, 6);
            if (language.isEmpty()) {
                continue;
            }
            TokenConstraint c = compiler.regex(regex);
            checkedPrefixes += check(regex, seed, language, c, vocab);
        }
        assertTrue(checkedPrefixes > 1000, "too few prefixes checked: " + checkedPrefixes);
    }

    private static int check(String regex, long seed, List<byte[]> language, TokenConstraint c, Vocabulary vocab) {
        Set<String> prefixes = new HashSet<>();
        Set<String> words = new HashSet<>();
        for (byte[] w : language) {
            words.add(latin(w));
            for (int i = 0; i <= w.length; i++) {
                prefixes.add(latin(Arrays.copyOf(w, i)));
            }
        }
        long[] mask = Tokenize.newMask(vocab);
        for (String p : prefixes) {
            ConstraintState s = c.start();
            for (byte b : p.getBytes(StandardCharsets.ISO_8859_1)) {
                int id = singleByteToken(vocab, b);
                assertTrue(s.advance(id), () -> "regex " + regex + " (seed " + seed + ") rejected a byte of prefix " + p);
            }
            s.fillAllowed(mask);
            for (int id = 0; id < vocab.size(); id++) {
                boolean expected;
                if (vocab.eosTokenIds().contains(id)) {
                    expected = words.contains(p);
                } else {
                    String next = p + latin(vocab.tokenBytes()[id]);
                    expected = prefixes.contains(next);
                }
                final int tok = id;
                assertEquals(expected, Tokenize.allowed(mask, id),
                        () -> "regex /" + regex + "/ (seed " + seed + ") prefix '" + utf8(p) + "' token " + Tokenize.show(vocab, tok));
            }
            assertEquals(words.contains(p), s.canFinish());
            boolean extendable = prefixes.stream().anyMatch(x -> x.length() > p.length() && x.startsWith(p));
            assertEquals(!extendable, s.isComplete(), () -> "isComplete at '" + utf8(p) + "' for /" + regex + "/");
        }
        return prefixes.size();
    }

    private static int singleByteToken(Vocabulary v, byte b) {
        for (int id = 0; id < v.size(); id++) {
            byte[] t = v.tokenBytes()[id];
            if (t != null && t.length == 1 && t[0] == b) {
                return id;
            }
        }
        throw new AssertionError("no single-byte token " + b);
    }

    private static String latin(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String utf8(String latin) {
        return new String(latin.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** Every string over the alphabet up to {@code maxChars} characters that the regex matches, as UTF-8. */
    static List<byte[]> enumerate(String regex, int maxChars) {
        Pattern p = Pattern.compile(regex);
        List<byte[]> out = new ArrayList<>();
        List<String> level = List.of("");
        for (int len = 0; len <= maxChars; len++) {
            List<String> next = new ArrayList<>();
            for (String s : level) {
                if (p.matcher(s).matches()) {
                    out.add(s.getBytes(StandardCharsets.UTF_8));
                }
                if (len < maxChars) {
                    for (String a : ALPHABET) {
                        next.add(s + a);
                    }
                }
            }
            level = next;
        }
        return out;
    }

    /** Regexes with at most 6 characters per match, using only alphabet characters. */
    static String regex(SplittableRandom r, int depth) {
        StringBuilder sb = new StringBuilder();
        int budget = 6;
        int parts = 1 + r.nextInt(3);
        for (int i = 0; i < parts && budget > 0; i++) {
            int[] used = new int[1];
            sb.append(piece(r, depth, Math.min(budget, 3), used));
            budget -= used[0];
        }
        return sb.toString();
    }

    private static String piece(SplittableRandom r, int depth, int budget, int[] used) {
        String atom;
        int len;
        switch (depth <= 0 ? r.nextInt(2) : r.nextInt(4)) {
            case 0 -> {
                String a = ALPHABET[r.nextInt(ALPHABET.length)];
                atom = a.equals(".") ? "\\." : a;
                len = 1;
            }
            case 1 -> {
                StringBuilder cls = new StringBuilder("[");
                for (String a : ALPHABET) {
                    if (r.nextBoolean()) {
                        cls.append(a.equals(".") ? "\\." : a);
                    }
                }
                if (cls.length() == 1) {
                    cls.append('a');
                }
                atom = cls.append(']').toString();
                len = 1;
            }
            default -> {
                int branches = 1 + r.nextInt(3);
                StringBuilder alt = new StringBuilder(r.nextBoolean() ? "(?:" : "(");
                int max = 0;
                for (int b = 0; b < branches; b++) {
                    if (b > 0) {
                        alt.append('|');
                    }
                    int[] u = new int[1];
                    if (r.nextInt(5) > 0) {
                        alt.append(piece(r, depth - 1, budget, u));
                    }
                    max = Math.max(max, u[0]);
                }
                atom = alt.append(')').toString();
                len = max;
            }
        }
        if (len > budget) {
            used[0] = 0;
            return "";
        }
        int room = len == 0 ? 2 : budget / Math.max(len, 1);
        if (room >= 2 && r.nextInt(3) == 0) {
            int hi = 1 + r.nextInt(Math.min(room, 2));
            int lo = r.nextInt(hi + 1);
            used[0] = len * hi;
            return atom + (lo == 0 && hi == 1 ? "?" : "{" + lo + "," + hi + "}");
        }
        used[0] = len;
        return atom;
    }

    /** Single bytes of the alphabet, all 1- and 2-character strings, and tokens that end or start mid-character. */
    static Vocabulary vocabulary() {
        Set<String> toks = new java.util.LinkedHashSet<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String a : ALPHABET) {
            all.writeBytes(a.getBytes(StandardCharsets.UTF_8));
        }
        for (byte b : all.toByteArray()) {
            toks.add(latin(new byte[] {b}));
        }
        for (String a : ALPHABET) {
            for (String b : ALPHABET) {
                String ab = latin((a + b).getBytes(StandardCharsets.UTF_8));
                toks.add(ab);
                toks.add(ab.substring(0, ab.length() - 1));
                toks.add(ab.substring(1));
                for (String c : new String[] {"a", "é"}) {
                    toks.add(latin((a + b + c).getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        toks.removeIf(String::isEmpty);
        List<byte[]> bytes = new ArrayList<>();
        bytes.add(null); // EOS
        for (String t : toks) {
            bytes.add(t.getBytes(StandardCharsets.ISO_8859_1));
        }
        bytes.add("z".getBytes(StandardCharsets.UTF_8)); // never in any match
        return new Vocabulary(bytes.toArray(new byte[0][]), Set.of(0), Set.of(0));
    }
}

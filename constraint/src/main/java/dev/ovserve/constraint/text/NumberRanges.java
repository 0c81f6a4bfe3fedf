package dev.ovserve.constraint.text;

import dev.ovserve.constraint.grammar.CodepointSet;
import dev.ovserve.constraint.grammar.Expr;
import dev.ovserve.constraint.grammar.Utf8;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** JSON numbers within integer bounds, as exact digit-by-digit expressions. */
final class NumberRanges {
    private NumberRanges() {}

    static final Expr NOTHING = new Expr.Alt(List.of());
    private static final Expr DIGIT = digits('0', '9');
    private static final Expr ANY_FRACTION = Expr.opt(Expr.seq(Expr.literal("."), Expr.plus(DIGIT)));
    private static final Expr ZERO_FRACTION = Expr.opt(Expr.seq(Expr.literal("."), Expr.plus(Expr.literal("0"))));
    private static final Expr NONZERO_FRACTION = Expr.seq(Expr.literal("."), Expr.star(DIGIT), digits('1', '9'), Expr.star(DIGIT));
    /** Exponents are kept to two digits so every number stays within a double. */
    private static final Expr EXPONENT = Expr.opt(Expr.seq(Expr.anyOf("eE"), Expr.opt(Expr.anyOf("+-")), new Expr.Repeat(DIGIT, 1, 2)));

    static Expr anyNumber() {
        return Expr.seq(Expr.opt(Expr.literal("-")), nonNegative(BigInteger.ZERO, null), ANY_FRACTION, EXPONENT);
    }

    /** Integers in [lo, hi] (either end may be null: unbounded), written without a fraction. */
    static Expr integer(BigInteger lo, BigInteger hi) {
        List<Expr> alts = new ArrayList<>();
        if (hi == null || hi.signum() >= 0) {
            alts.add(nonNegative(lo == null || lo.signum() < 0 ? BigInteger.ZERO : lo, hi));
        }
        if (lo == null || lo.signum() < 0) {
            BigInteger a = hi == null || hi.signum() >= 0 ? BigInteger.ONE : hi.negate();
            alts.add(Expr.seq(Expr.literal("-"), nonNegative(a, lo == null ? null : lo.negate())));
        }
        return alts.isEmpty() ? NOTHING : Expr.alt(alts);
    }

    /** Numbers x with lo (<, <=) x (<, <=) hi for integer bounds; no exponent when bounded. */
    static Expr number(BigInteger lo, boolean loIncl, BigInteger hi, boolean hiIncl) {
        if (lo == null && hi == null) {
            return anyNumber();
        }
        List<Expr> alts = new ArrayList<>();
        if (hi == null || hi.signum() >= 0) {
            boolean fromZero = lo == null || lo.signum() < 0;
            alts.add(magnitude(fromZero ? BigInteger.ZERO : lo, fromZero || loIncl, hi, hiIncl));
        }
        if (lo == null || lo.signum() <= 0) {
            boolean fromZero = hi == null || hi.signum() > 0;
            alts.add(Expr.seq(Expr.literal("-"), magnitude(fromZero ? BigInteger.ZERO : hi.negate(), fromZero || hiIncl,
                    lo == null ? null : lo.negate(), loIncl)));
        }
        return Expr.alt(alts);
    }

    /** Decimal magnitudes m >= 0 with a (<, <=) m (<, <=) b. */
    private static Expr magnitude(BigInteger a, boolean aIncl, BigInteger b, boolean bIncl) {
        if (b != null && a.compareTo(b) >= 0) {
            return a.equals(b) && aIncl && bIncl ? Expr.seq(literal(a), ZERO_FRACTION) : NOTHING;
        }
        List<Expr> alts = new ArrayList<>();
        alts.add(Expr.seq(literal(a), aIncl ? ANY_FRACTION : NONZERO_FRACTION));
        BigInteger next = a.add(BigInteger.ONE);
        if (b == null) {
            alts.add(Expr.seq(nonNegative(next, null), ANY_FRACTION));
        } else {
            if (next.compareTo(b) < 0) {
                alts.add(Expr.seq(nonNegative(next, b.subtract(BigInteger.ONE)), ANY_FRACTION));
            }
            if (bIncl) {
                alts.add(Expr.seq(literal(b), ZERO_FRACTION));
            }
        }
        return Expr.alt(alts);
    }

    private static Expr literal(BigInteger v) {
        return Expr.literal(v.toString());
    }

    /** Canonical decimal integers in [a, b], a >= 0, b null for unbounded. */
    static Expr nonNegative(BigInteger a, BigInteger b) {
        if (b != null && a.compareTo(b) > 0) {
            return NOTHING;
        }
        List<Expr> alts = new ArrayList<>();
        int lenA = a.toString().length();
        int lenB = b == null ? lenA : b.toString().length();
        for (int len = lenA; len <= lenB; len++) {
            BigInteger lo = len == lenA ? a : BigInteger.TEN.pow(len - 1);
            BigInteger hi = BigInteger.TEN.pow(len).subtract(BigInteger.ONE);
            if (b != null && len == lenB) {
                hi = b;
            }
            alts.add(sameLength(lo.toString(), hi.toString()));
        }
        if (b == null) {
            alts.add(Expr.seq(digits('1', '9'), new Expr.Repeat(DIGIT, lenA, -1)));
        }
        return Expr.alt(alts);
    }

    private static Expr sameLength(String lo, String hi) {
        int n = lo.length();
        if (n == 0) {
            return Expr.EMPTY;
        }
        char a = lo.charAt(0);
        char b = hi.charAt(0);
        String loRest = lo.substring(1);
        String hiRest = hi.substring(1);
        if (a == b) {
            return Expr.seq(Expr.literal(String.valueOf(a)), sameLength(loRest, hiRest));
        }
        if (loRest.chars().allMatch(c -> c == '0') && hiRest.chars().allMatch(c -> c == '9')) {
            return Expr.seq(digits(a, b), new Expr.Repeat(DIGIT, n - 1, n - 1));
        }
        List<Expr> alts = new ArrayList<>();
        alts.add(Expr.seq(Expr.literal(String.valueOf(a)), sameLength(loRest, "9".repeat(n - 1))));
        if (b - a >= 2) {
            alts.add(Expr.seq(digits((char) (a + 1), (char) (b - 1)), new Expr.Repeat(DIGIT, n - 1, n - 1)));
        }
        alts.add(Expr.seq(Expr.literal(String.valueOf(b)), sameLength("0".repeat(n - 1), hiRest)));
        return Expr.alt(alts);
    }

    private static Expr digits(char lo, char hi) {
        return Utf8.encode(CodepointSet.range(lo, hi));
    }
}

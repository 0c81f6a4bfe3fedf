package dev.ovserve.models.quality;

/**
 * Compares next-token distributions given as logit rows. The math runs in double: a compressed
 * model's KL can be ~1e-5 nats, below what a float sum over a 50k vocabulary keeps.
 */
public final class NextTokenDivergence {
    private NextTokenDivergence() {}

    /** log softmax of {@code logits[from, from + n)}; the max is subtracted first so exp cannot overflow. */
    public static double[] logSoftmax(float[] logits, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[from + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits[from + i] - max);
        }
        double logNorm = max + Math.log(sum);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = logits[from + i] - logNorm;
        }
        return out;
    }

    /** KL(P_reference ‖ P_candidate) in nats, each P the softmax of a whole logit row. */
    public static double kl(float[] reference, float[] candidate) {
        if (reference.length != candidate.length) {
            throw new IllegalArgumentException("rows differ in length: " + reference.length + " vs " + candidate.length);
        }
        return kl(reference, 0, candidate, 0, reference.length);
    }

    /** KL(P ‖ Q) for the rows {@code reference[refFrom, refFrom + n)} and {@code candidate[candFrom, candFrom + n)}. */
    public static double kl(float[] reference, int refFrom, float[] candidate, int candFrom, int n) {
        double[] logP = logSoftmax(reference, refFrom, n);
        double[] logQ = logSoftmax(candidate, candFrom, n);
        double kl = 0;
        for (int i = 0; i < n; i++) {
            double p = Math.exp(logP[i]);
            if (p > 0) { // 0 · log 0 is 0, not 0 · -∞ = NaN
                kl += p * (logP[i] - logQ[i]);
            }
        }
        return Math.max(0, kl); // KL ≥ 0; rounding can leave a -1e-17 for identical rows
    }

    /** Largest minus second-largest value of the row: the log-probability ratio of its two most likely tokens. */
    public static double topTwoGap(float[] logits, int from, int n) {
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double v = logits[from + i];
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return n < 2 ? Double.POSITIVE_INFINITY : first - second;
    }

    /** Index of the largest logit; ties go to the first, as greedy decoding picks. */
    public static int argmax(float[] logits) {
        return argmax(logits, 0, logits.length);
    }

    /** Index within the row {@code logits[from, from + n)} of its largest value; ties go to the first. */
    public static int argmax(float[] logits, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (logits[from + i] > logits[from + best]) {
                best = i;
            }
        }
        return best;
    }
}

package dev.ovserve.scheduler;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one position's logits. Each sampler owns its random stream, so a
 * request's seed decides its output whatever else runs beside it.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
    }

    public int next(float[] logits, int offset, int vocab) {
        if (params.greedy()) {
            return argmax(logits, offset, vocab);
        }
        double[] probs = softmax(logits, offset, vocab, params.temperature());
        return params.topP() < 1 ? sampleNucleus(probs, params.topP()) : sample(probs);
    }

    /** Lowest index wins ties, so greedy output is deterministic across implementations. */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    static double[] softmax(float[] logits, int offset, int vocab, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] p = new double[vocab];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            p[i] = Math.exp((logits[offset + i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < vocab; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private int sample(double[] probs) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < probs.length; i++) {
            cumulative += probs[i];
            if (u < cumulative) {
                return i;
            }
        }
        return probs.length - 1;
    }

    /** Samples among the smallest set of most likely tokens whose mass reaches topP. */
    private int sampleNucleus(double[] probs, double topP) {
        Integer[] order = new Integer[probs.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        double mass = 0;
        int kept = 0;
        while (kept < order.length && mass < topP) {
            mass += probs[order[kept++]];
        }
        double u = random.nextDouble() * mass;
        double cumulative = 0;
        for (int i = 0; i < kept; i++) {
            cumulative += probs[order[i]];
            if (u < cumulative) {
                return order[i];
            }
        }
        return order[kept - 1];
    }
}

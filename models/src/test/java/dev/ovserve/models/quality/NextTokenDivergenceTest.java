package dev.ovserve.models.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NextTokenDivergenceTest {
    private static float ln(double x) {
        return (float) Math.log(x);
    }

    @Test
    void klMatchesTheHandComputedValue() {
        // P = (.5, .5), Q = (.9, .1): KL = .5 ln(.5/.9) + .5 ln(.5/.1)
        float[] p = {ln(.5), ln(.5)};
        float[] q = {ln(.9), ln(.1)};
        double expected = .5 * Math.log(.5 / .9) + .5 * Math.log(.5 / .1);
        assertEquals(expected, NextTokenDivergence.kl(p, q), 1e-7);
        // KL is not symmetric: KL(Q ‖ P) = .9 ln(.9/.5) + .1 ln(.1/.5)
        assertEquals(.9 * Math.log(.9 / .5) + .1 * Math.log(.1 / .5), NextTokenDivergence.kl(q, p), 1e-7);
    }

    @Test
    void logSoftmaxIsNormalizedAndStableForHugeLogits() {
        float[] logits = {1000f, 1001f, 999f};
        double[] logP = NextTokenDivergence.logSoftmax(logits, 0, 3);
        double sum = 0;
        for (double l : logP) {
            assertTrue(Double.isFinite(l));
            sum += Math.exp(l);
        }
        assertEquals(1.0, sum, 1e-12);
        double z = Math.exp(-1) + 1 + Math.exp(-2);
        assertEquals(-Math.log(z), logP[1], 1e-12);
    }

    @Test
    void shiftingEveryLogitChangesNothing() {
        float[] p = {0.3f, -1.2f, 2.5f, 0.0f};
        float[] q = {0.1f, -0.7f, 2.0f, 0.4f};
        float[] shifted = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            shifted[i] = q[i] + 50f;
        }
        double kl = NextTokenDivergence.kl(p, q);
        assertTrue(kl > 0);
        assertEquals(kl, NextTokenDivergence.kl(p, shifted), 1e-5);
        assertEquals(0.0, NextTokenDivergence.kl(q, shifted), 1e-5);
    }

    @Test
    void identicalRowsHaveZeroDivergence() {
        float[] row = {0.5f, -3f, 7.25f, 1f, 1f};
        assertEquals(0.0, NextTokenDivergence.kl(row, row.clone()));
    }

    @Test
    void rowsAreReadAtTheirOffsets() {
        float[] p = {9f, 9f, ln(.5), ln(.5)};
        float[] q = {ln(.9), ln(.1), -9f};
        assertEquals(.5 * Math.log(.5 / .9) + .5 * Math.log(.5 / .1), NextTokenDivergence.kl(p, 2, q, 0, 2), 1e-7);
        assertEquals(1, NextTokenDivergence.argmax(new float[] {5f, 0f, 1f, 3f}, 2, 2));
    }

    @Test
    void zeroProbabilityTokensAddNothing() {
        float[] p = {0f, Float.NEGATIVE_INFINITY};
        float[] q = {0f, 0f};
        assertEquals(Math.log(2), NextTokenDivergence.kl(p, q), 1e-12);
    }

    @Test
    void argmaxTiesGoToTheFirstIndex() {
        assertEquals(1, NextTokenDivergence.argmax(new float[] {1f, 3f, 3f, 2f}));
        assertEquals(0, NextTokenDivergence.argmax(new float[] {4f, 4f}));
        assertEquals(2, NextTokenDivergence.argmax(new float[] {-5f, -4f, -1f}));
    }

    @Test
    void topTwoGapIsTheLeadOfTheLargestOverTheRunnerUp() {
        assertEquals(1.5, NextTokenDivergence.topTwoGap(new float[] {0f, 3f, 1.5f, -2f}, 0, 4), 1e-9);
        assertEquals(0.0, NextTokenDivergence.topTwoGap(new float[] {2f, 2f, 1f}, 0, 3), "a tie has no lead");
        assertEquals(4.0, NextTokenDivergence.topTwoGap(new float[] {9f, 5f, 1f}, 1, 2), 1e-9, "read at its offset");
    }

    @Test
    void rowsOfDifferentLengthAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> NextTokenDivergence.kl(new float[2], new float[3]));
    }
}

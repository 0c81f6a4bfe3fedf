package dev.ovserve.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {0.5f, 2.0f, -1f, 1.0f, 2.0f};

    @Test
    void greedyPicksFirstMaximum() {
        assertEquals(1, new Sampler(SamplingParams.GREEDY).next(LOGITS, 0, 5));
        assertEquals(2, Sampler.argmax(new float[] {9f, 0f, 1f, 5f}, 1, 3), "index is relative to the offset");
    }

    @Test
    void sameSeedSameSequenceDifferentSeedDifferentSequence() {
        int[] a = draw(new SamplingParams(1.0, 1.0, 42L), 64);
        int[] b = draw(new SamplingParams(1.0, 1.0, 42L), 64);
        int[] c = draw(new SamplingParams(1.0, 1.0, 43L), 64);
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    @Test
    void frequenciesFollowTheTemperedSoftmax() {
        double temperature = 0.7;
        int n = 200_000;
        int[] counts = new int[LOGITS.length];
        Sampler s = new Sampler(new SamplingParams(temperature, 1.0, 7L));
        for (int i = 0; i < n; i++) {
            counts[s.next(LOGITS, 0, LOGITS.length)]++;
        }
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l / temperature);
        }
        for (int i = 0; i < LOGITS.length; i++) {
            double expected = Math.exp(LOGITS[i] / temperature) / z;
            assertEquals(expected, counts[i] / (double) n, 0.005, "token " + i);
        }
    }

    @Test
    void topPKeepsOnlyTheNucleus() {
        // probabilities at T=1: tokens 1 and 4 hold ~0.66 together; top_p 0.6 keeps exactly those two
        Sampler s = new Sampler(new SamplingParams(1.0, 0.6, 1L));
        boolean[] seen = new boolean[LOGITS.length];
        for (int i = 0; i < 10_000; i++) {
            seen[s.next(LOGITS, 0, LOGITS.length)] = true;
        }
        assertTrue(seen[1] && seen[4]);
        assertTrue(!seen[0] && !seen[2] && !seen[3]);
    }

    @Test
    void rejectsInvalidParameters() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(Double.NaN, 1, null));
    }

    private static int[] draw(SamplingParams p, int count) {
        Sampler s = new Sampler(p);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = s.next(LOGITS, 0, LOGITS.length);
        }
        return out;
    }
}

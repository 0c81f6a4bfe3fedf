package dev.ovserve.scheduler.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopTokensTest {

    @Test
    void selectTopMatchesAFullSortIncludingTies() {
        Random r = new Random(1);
        for (int trial = 0; trial < 500; trial++) {
            int vocab = 1 + r.nextInt(300);
            int offset = r.nextInt(5);
            float[] values = new float[offset + vocab + 3];
            for (int i = 0; i < values.length; i++) {
                values[i] = trial % 2 == 0 ? r.nextInt(10) : (float) r.nextGaussian();
            }
            int k = 1 + r.nextInt(vocab);
            int[] ids = new int[k];
            TopTokens.selectTop(values, offset, vocab, k, ids);
            assertArrayEquals(Arrays.copyOf(sortedBestFirst(values, offset, vocab), k), ids, "trial " + trial);
        }
    }

    @Test
    void nucleusIsTheSmallestBestPrefixReachingTheMass() {
        Random r = new Random(2);
        for (int trial = 0; trial < 2000; trial++) {
            int count = 1 + r.nextInt(trial % 10 == 0 ? 5000 : 200);
            float[] w = new float[count];
            // small integers: every sum is exact whatever the order, and there are many ties and zeros
            for (int i = 0; i < count; i++) {
                w[i] = switch (trial % 4) {
                    case 0 -> r.nextInt(5);
                    case 1 -> i; // ascending: bad for a naive pivot
                    case 2 -> count - i;
                    default -> 1;
                };
            }
            double total = 0;
            for (float x : w) {
                total += x;
            }
            if (total == 0) {
                continue; // the sampler always asks for a positive mass
            }
            double need = r.nextBoolean() ? Math.floor(r.nextDouble() * total) + 1 : r.nextDouble() * total + 1e-9;
            need = Math.min(need, total);
            int[] ids = IntStream.range(0, count).toArray();
            int kept = TopTokens.nucleus(w, ids, count, need);
            int[] expected = sortedBestFirst(w, 0, count);
            int expectedKept = 0;
            double mass = 0;
            while (expectedKept < count && mass < need) {
                mass += w[expected[expectedKept++]];
            }
            assertEquals(expectedKept, kept, "trial " + trial);
            int[] got = Arrays.copyOf(ids, kept);
            Arrays.sort(got);
            int[] want = Arrays.copyOf(expected, kept);
            Arrays.sort(want);
            assertArrayEquals(want, got, "trial " + trial);
            int[] all = ids.clone();
            Arrays.sort(all);
            assertArrayEquals(IntStream.range(0, count).toArray(), all, "ids stay a permutation");
        }
    }

    @Test
    void nucleusKeepsEverythingWhenTheMassFallsShort() {
        float[] w = {1, 2, 3};
        int[] ids = {0, 1, 2};
        assertEquals(3, TopTokens.nucleus(w, ids, 3, 10));
    }

    private static int[] sortedBestFirst(float[] values, int offset, int vocab) {
        return IntStream.range(0, vocab).boxed()
                .sorted((a, b) -> values[offset + a] != values[offset + b] ? Float.compare(values[offset + b], values[offset + a]) : a - b)
                .mapToInt(Integer::intValue).toArray();
    }
}

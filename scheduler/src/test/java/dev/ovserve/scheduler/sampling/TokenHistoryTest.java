package dev.ovserve.scheduler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenHistoryTest {

    @Test
    void promptTokensAreSeenButNotGenerated() {
        TokenHistory h = TokenHistory.ofPrompt(new int[] {5, 5, 9});
        assertTrue(h.seen(5) && h.seen(9));
        assertFalse(h.seen(6));
        assertEquals(0, h.generatedCount(5));
        h.add(5);
        h.add(6);
        h.add(5);
        assertEquals(2, h.generatedCount(5));
        assertEquals(1, h.generatedCount(6));
        assertTrue(h.seen(6));
        assertEquals(3, h.outputLength());
        assertEquals(3, h.seenTokens().size(), "distinct tokens of prompt and output");
        assertEquals(2, h.generatedTokens().size());
    }

    @Test
    void copiesAreIndependent() {
        TokenHistory h = TokenHistory.ofPrompt(new int[] {1});
        h.add(2);
        TokenHistory c = h.copy();
        c.add(3);
        h.add(2);
        assertFalse(h.seen(3));
        assertEquals(1, c.generatedCount(2));
        assertEquals(2, h.generatedCount(2));
        assertEquals(2, c.outputLength());
    }

    @Test
    void countsMatchAMapThroughGrowth() {
        Random r = new Random(4);
        IntCounts counts = new IntCounts(1);
        Map<Integer, Integer> reference = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            int key = r.nextInt(i < 50_000 ? 60_000 : 50); // sparse, then heavy repeats
            counts.increment(key);
            reference.merge(key, 1, Integer::sum);
        }
        assertEquals(reference.size(), counts.size());
        for (int i = 0; i < counts.size(); i++) {
            assertEquals(reference.get(counts.keyAt(i)), counts.countAt(i));
        }
        for (int key = 0; key < 61_000; key++) {
            assertEquals(reference.getOrDefault(key, 0), counts.count(key));
        }
        assertEquals(0, counts.count(-1));
        assertThrows(IllegalArgumentException.class, () -> counts.increment(-1));
    }
}

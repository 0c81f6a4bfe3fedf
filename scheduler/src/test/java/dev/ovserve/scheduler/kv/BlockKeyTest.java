package dev.ovserve.scheduler.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class BlockKeyTest {
    @Test
    void equalContentIsEqual() {
        int[] tokens = {7, 1, 2, 3, 9};
        assertEquals(BlockKey.of(5, tokens, 1, 3), BlockKey.of(5, new int[] {1, 2, 3}, 0, 3));
        assertEquals(BlockKey.of(5, tokens, 1, 3).hashCode(), BlockKey.of(5, new int[] {1, 2, 3}, 0, 3).hashCode());
    }

    @Test
    void collidingHashesDoNotMakeDifferentBlocksEqual() {
        BlockKey a = BlockKey.of(0, new int[] {0, 31}, 0, 2);
        BlockKey b = BlockKey.of(0, new int[] {1, 0}, 0, 2);
        assertEquals(a.hashCode(), b.hashCode(), "the test needs a real collision");
        assertNotEquals(a, b);

        BlockKey c = BlockKey.of(1, new int[] {5}, 0, 1);
        BlockKey d = BlockKey.of(1L << 32, new int[] {5}, 0, 1); // Long.hashCode(1L << 32) == 1
        assertEquals(c.hashCode(), d.hashCode(), "the test needs a real collision");
        assertNotEquals(c, d, "same hash, different predecessor");
    }
}

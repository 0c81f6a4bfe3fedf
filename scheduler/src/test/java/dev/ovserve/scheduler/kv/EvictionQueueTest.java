package dev.ovserve.scheduler.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EvictionQueueTest {
    @Test
    void pollsInReleaseOrderAndRemovesFromAnywhere() {
        EvictionQueue q = new EvictionQueue(6);
        for (int b : new int[] {4, 1, 5, 0}) {
            q.addNewest(b);
        }
        q.remove(5); // middle
        q.remove(4); // oldest
        q.addNewest(4);
        assertArrayEquals(new int[] {1, 0, 4}, q.toArray());
        assertTrue(q.contains(0));
        assertFalse(q.contains(5));
        assertEquals(1, q.pollOldest());
        assertEquals(0, q.pollOldest());
        q.remove(4); // the last one
        assertEquals(0, q.size());
        assertArrayEquals(new int[0], q.toArray());
        assertThrows(IllegalStateException.class, q::pollOldest);
        q.addNewest(2);
        assertThrows(IllegalStateException.class, () -> q.addNewest(2));
        assertThrows(IllegalStateException.class, () -> q.remove(3));
        assertEquals(2, q.pollOldest());
    }
}

package dev.ovserve.scheduler.kv;

import java.util.Arrays;

/**
 * Free blocks that still hold reusable prefix KV, least recently released first. An intrusive
 * doubly-linked list over block ids: add, remove and poll are O(1) and allocate nothing.
 */
final class EvictionQueue {
    private static final int NIL = -1;

    private final int[] prev;
    private final int[] next;
    private final boolean[] queued;
    private int oldest = NIL;
    private int newest = NIL;
    private int size;

    EvictionQueue(int numBlocks) {
        prev = new int[numBlocks];
        next = new int[numBlocks];
        queued = new boolean[numBlocks];
        Arrays.fill(prev, NIL);
        Arrays.fill(next, NIL);
    }

    void addNewest(int block) {
        if (queued[block]) {
            throw new IllegalStateException("block " + block + " is already evictable");
        }
        prev[block] = newest;
        next[block] = NIL;
        if (newest == NIL) {
            oldest = block;
        } else {
            next[newest] = block;
        }
        newest = block;
        queued[block] = true;
        size++;
    }

    void remove(int block) {
        if (!queued[block]) {
            throw new IllegalStateException("block " + block + " is not evictable");
        }
        int p = prev[block];
        int n = next[block];
        if (p == NIL) {
            oldest = n;
        } else {
            next[p] = n;
        }
        if (n == NIL) {
            newest = p;
        } else {
            prev[n] = p;
        }
        prev[block] = NIL;
        next[block] = NIL;
        queued[block] = false;
        size--;
    }

    int pollOldest() {
        if (oldest == NIL) {
            throw new IllegalStateException("no evictable block");
        }
        int block = oldest;
        remove(block);
        return block;
    }

    boolean contains(int block) {
        return queued[block];
    }

    int size() {
        return size;
    }

    /** Oldest first, walking the links; throws if they are inconsistent. For invariant checks. */
    int[] toArray() {
        int[] out = new int[size];
        int count = 0;
        int before = NIL;
        for (int b = oldest; b != NIL; b = next[b]) {
            if (count == size || prev[b] != before || !queued[b]) {
                throw new IllegalStateException("eviction queue links are broken at block " + b);
            }
            out[count++] = b;
            before = b;
        }
        if (count != size || before != newest) {
            throw new IllegalStateException("eviction queue holds " + count + " linked blocks but counts " + size);
        }
        return out;
    }
}

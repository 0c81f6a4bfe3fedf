package dev.ovserve.scheduler.sampling;

import java.util.Arrays;

/**
 * Counts per non-negative int key, without boxing: dense arrays of the distinct keys and their
 * counts (so penalties visit only the tokens a sequence has seen) plus an open-addressing index
 * from key to position.
 */
final class IntCounts {
    private static final int EMPTY = -1;

    private int[] slots;
    private int[] keys;
    private int[] counts;
    private int size;

    IntCounts(int expectedKeys) {
        int capacity = Integer.highestOneBit(Math.max(8, expectedKeys) * 2 - 1) << 1;
        slots = new int[capacity];
        Arrays.fill(slots, EMPTY);
        keys = new int[Math.max(8, expectedKeys)];
        counts = new int[keys.length];
    }

    private IntCounts(IntCounts other) {
        slots = other.slots.clone();
        keys = other.keys.clone();
        counts = other.counts.clone();
        size = other.size;
    }

    IntCounts copy() {
        return new IntCounts(this);
    }

    void increment(int key) {
        if (key < 0) {
            throw new IllegalArgumentException("token ids are >= 0, got " + key);
        }
        int slot = find(key);
        if (slots[slot] == EMPTY) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            keys[size] = key;
            slots[slot] = size++;
            if (size * 2 > slots.length) {
                rehash();
            }
            counts[size - 1]++;
            return;
        }
        counts[slots[slot]]++;
    }

    int count(int key) {
        if (key < 0) {
            return 0;
        }
        int index = slots[find(key)];
        return index == EMPTY ? 0 : counts[index];
    }

    /** Number of distinct keys. */
    int size() {
        return size;
    }

    /** The i-th distinct key, in first-seen order. */
    int keyAt(int i) {
        return keys[i];
    }

    /** The count of {@link #keyAt(int) keyAt(i)}. */
    int countAt(int i) {
        return counts[i];
    }

    private int find(int key) {
        int mask = slots.length - 1;
        int slot = mix(key) & mask;
        while (slots[slot] != EMPTY && keys[slots[slot]] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        Arrays.fill(slots, EMPTY);
        for (int i = 0; i < size; i++) {
            slots[find(keys[i])] = i;
        }
    }

    /** Token ids are dense small ints; spread them so neighbours do not form long probe runs. */
    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}

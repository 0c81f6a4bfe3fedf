package dev.ovserve.scheduler.kv;

import java.util.Arrays;

/**
 * One sequence's block table, plus the prefix identity (key id) of each of its leading full,
 * computed blocks. The identity is the sequence's, not the block's: a block computed twice
 * concurrently stays unregistered, yet the chain continues through the registered twin.
 */
final class SequenceBlocks {
    private int[] blocks;
    private int size;
    private long[] keyIds;
    private int identified;

    SequenceBlocks() {
        this(new int[4], 0, new long[4], 0);
    }

    private SequenceBlocks(int[] blocks, int size, long[] keyIds, int identified) {
        this.blocks = blocks;
        this.size = size;
        this.keyIds = keyIds;
        this.identified = identified;
    }

    int size() {
        return size;
    }

    int get(int index) {
        return blocks[index];
    }

    void set(int index, int block) {
        blocks[index] = block;
    }

    void add(int block) {
        if (size == blocks.length) {
            blocks = Arrays.copyOf(blocks, size * 2);
        }
        blocks[size++] = block;
    }

    int[] toArray() {
        return Arrays.copyOf(blocks, size);
    }

    /** How many leading blocks have a known prefix identity. */
    int identified() {
        return identified;
    }

    long keyId(int index) {
        return keyIds[index];
    }

    void addKeyId(long keyId) {
        if (identified == keyIds.length) {
            keyIds = Arrays.copyOf(keyIds, identified * 2);
        }
        keyIds[identified++] = keyId;
    }

    /** Blocks from {@code count} on are about to be (re)written, so their identity is unknown. */
    void forgetKeyIdsFrom(int count) {
        identified = Math.min(identified, count);
    }

    SequenceBlocks copy() {
        return new SequenceBlocks(blocks.clone(), size, keyIds.clone(), identified);
    }
}

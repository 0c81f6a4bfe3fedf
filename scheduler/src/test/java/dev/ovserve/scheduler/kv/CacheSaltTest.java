package dev.ovserve.scheduler.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Prefix-cache blocks are shared only between sequences with the same cache salt. */
class CacheSaltTest {
    private static final int[] PROMPT = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    private final BlockManager blocks = new BlockManager(8, 4, true);

    @AfterEach
    void stillConsistent() {
        blocks.checkInvariants();
    }

    /** Computes the prompt's KV for a new sequence under {@code salt}, adopting whatever is cached for it. */
    private PrefixHit compute(long seq, String salt) {
        PrefixHit hit = blocks.lookupPrefix(PROMPT, PROMPT.length - 1, salt);
        assertEquals(true, blocks.allocate(seq, hit, PROMPT.length));
        assertEquals(0, blocks.prepareWrite(seq, hit.tokens(), PROMPT.length).size());
        blocks.markComputed(seq, PROMPT, PROMPT.length, salt);
        return hit;
    }

    @Test
    void theSamePromptUnderAnotherSaltFindsNothingCached() {
        assertEquals(0, compute(1, "tenant-a").tokens());
        blocks.free(1);
        assertEquals(2, blocks.cachedBlocks());
        assertEquals(0, blocks.lookupPrefix(PROMPT, 8, "tenant-b").tokens());
        assertEquals(0, blocks.lookupPrefix(PROMPT, 8, null).tokens(), "unsalted requests do not see salted blocks");
        assertEquals(0, blocks.lookupPrefix(PROMPT, 8).tokens());
        assertEquals(8, blocks.lookupPrefix(PROMPT, 8, "tenant-a").tokens());
    }

    @Test
    void eachSaltKeepsItsOwnBlocksAndTheSameSaltShares() {
        PrefixHit a = compute(1, "tenant-a");
        PrefixHit b = compute(2, "tenant-b");
        assertEquals(0, a.tokens());
        assertEquals(0, b.tokens());
        // Two chains of two full blocks each, plus each sequence's partial third block.
        assertEquals(4, blocks.cachedBlocks());
        assertEquals(6, blocks.usedBlocks());
        assertNotEquals(blocks.blockTable(1)[0], blocks.blockTable(2)[0]);

        PrefixHit again = compute(3, "tenant-b");
        assertEquals(8, again.tokens());
        assertEquals(blocks.blockTable(2)[0], blocks.blockTable(3)[0]);
        assertEquals(blocks.blockTable(2)[1], blocks.blockTable(3)[1]);
        assertEquals(7, blocks.usedBlocks(), "only the partial block is new");

        blocks.free(1);
        blocks.free(2);
        blocks.free(3);
        assertEquals(0, blocks.usedBlocks());
        assertEquals(8, blocks.freeBlocks());
        assertEquals(4, blocks.evictableBlocks());
        assertEquals(8, blocks.lookupPrefix(PROMPT, 8, "tenant-a").tokens());
        assertEquals(8, blocks.lookupPrefix(PROMPT, 8, "tenant-b").tokens());
    }

    @Test
    void anUnsaltedSequenceSharesWithOtherUnsaltedOnes() {
        assertEquals(0, compute(1, null).tokens());
        assertEquals(8, compute(2, null).tokens());
        assertEquals(0, compute(3, "x").tokens());
        blocks.free(1);
        blocks.free(2);
        blocks.free(3);
        assertEquals(0, blocks.usedBlocks());
    }
}

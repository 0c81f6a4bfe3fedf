package dev.ovserve.scheduler.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.BlockCopy;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockManagerTest {
    private BlockManager blocks;

    @AfterEach
    void stillConsistent() {
        if (blocks != null) {
            blocks.checkInvariants();
        }
    }

    @Test
    void allocationGrowsOneBlockPerBlockSizeTokens() {
        blocks = new BlockManager(8, 4, true);
        assertTrue(blocks.allocate(1, PrefixHit.NONE, 1));
        assertEquals(1, blocks.ownedBlocks(1));
        assertTrue(blocks.allocate(1, PrefixHit.NONE, 4));
        assertEquals(1, blocks.ownedBlocks(1), "4 tokens still fit one block");
        assertTrue(blocks.allocate(1, PrefixHit.NONE, 5));
        assertEquals(2, blocks.ownedBlocks(1));
        int[] before = blocks.blockTable(1);
        assertTrue(blocks.allocate(1, PrefixHit.NONE, 12));
        int[] after = blocks.blockTable(1);
        assertEquals(3, after.length);
        assertArrayEquals(before, Arrays.copyOf(after, 2), "growing keeps the existing blocks in place");
        assertEquals(3, Arrays.stream(after).distinct().count());
        assertTrue(blocks.allocate(1, PrefixHit.NONE, 2));
        assertEquals(3, blocks.ownedBlocks(1), "a smaller request never shrinks the table");
        assertEquals(3, blocks.usedBlocks());
        assertEquals(5, blocks.freeBlocks());
        assertEquals(3.0 / 8, blocks.usage());
        assertEquals(0, blocks.blocksNeeded(1, PrefixHit.NONE, 12));
        assertEquals(2, blocks.blocksNeeded(1, PrefixHit.NONE, 17));
        assertEquals(2, blocks.blocksNeeded(2, PrefixHit.NONE, 8));
    }

    @Test
    void exhaustionReturnsFalseAndChangesNothing() {
        blocks = new BlockManager(4, 4, true);
        assertTrue(blocks.allocate(1, PrefixHit.NONE, 12));
        int[] table = blocks.blockTable(1);

        assertFalse(blocks.canAllocate(2, PrefixHit.NONE, 8));
        assertFalse(blocks.allocate(2, PrefixHit.NONE, 8));
        assertFalse(blocks.owns(2), "a failed allocation leaves no trace of the sequence");
        assertFalse(blocks.allocate(1, PrefixHit.NONE, 20));
        assertArrayEquals(table, blocks.blockTable(1));
        assertEquals(1, blocks.freeBlocks());
        assertEquals(3, blocks.usedBlocks());

        assertTrue(blocks.allocate(2, PrefixHit.NONE, 4), "exactly the last block still fits");
        assertEquals(0, blocks.freeBlocks());
    }

    @Test
    void failedAllocationLeavesAFreeCachedHitEvictable() {
        blocks = new BlockManager(3, 2, true);
        int[] prompt = {1, 2, 3, 4, 5};
        run(1, prompt);
        blocks.free(1);
        assertTrue(blocks.allocate(2, PrefixHit.NONE, 2)); // takes the only plain free block
        assertEquals(2, blocks.evictableBlocks());
        long queried = blocks.prefixQueryTokens();

        int[] longer = {1, 2, 3, 4, 9, 9, 9};
        PrefixHit hit = blocks.lookupPrefix(longer, longer.length - 1);
        assertEquals(4, hit.tokens());
        assertEquals(4, blocks.blocksNeeded(3, hit, 7), "two adopted free blocks plus two fresh ones");
        assertFalse(blocks.allocate(3, hit, 7));

        assertEquals(2, blocks.evictableBlocks());
        assertEquals(2, blocks.cachedBlocks());
        assertEquals(queried, blocks.prefixQueryTokens(), "a hit that was not adopted is not counted");
        assertEquals(4, blocks.lookupPrefix(longer, longer.length - 1).tokens());
        assertTrue(blocks.allocate(3, hit, 4), "the same hit still works when it fits");
    }

    @Test
    void finishedSequencesPromptIsReusedFromTheCache() {
        blocks = new BlockManager(16, 4, true);
        int[] prompt = IntStream.range(100, 110).toArray(); // 2 full blocks + 2 tokens
        PrefixHit miss = blocks.lookupPrefix(prompt, prompt.length - 1);
        assertEquals(0, miss.tokens());
        assertTrue(blocks.allocate(1, miss, prompt.length));
        blocks.markComputed(1, prompt, prompt.length);
        int[] first = blocks.blockTable(1);
        assertEquals(2, blocks.cachedBlocks());
        blocks.free(1);
        assertEquals(16, blocks.freeBlocks());
        assertEquals(2, blocks.evictableBlocks());

        PrefixHit hit = blocks.lookupPrefix(prompt, prompt.length - 1);
        assertEquals(8, hit.tokens());
        assertEquals(9, hit.queryTokens());
        assertArrayEquals(Arrays.copyOf(first, 2), hit.blockIds());
        assertTrue(blocks.allocate(2, hit, prompt.length));
        int[] second = blocks.blockTable(2);
        assertArrayEquals(Arrays.copyOf(first, 2), Arrays.copyOf(second, 2));
        assertEquals(3, second.length);
        assertEquals(0, blocks.evictableBlocks(), "adopted blocks are no longer evictable");

        assertEquals(18, blocks.prefixQueryTokens(), "the miss counts its query too");
        assertEquals(8, blocks.prefixHitTokens());
        assertEquals(8.0 / 18, blocks.hitRate());
    }

    @Test
    void aHitOnARunningSequencesBlocksSharesThem() {
        blocks = new BlockManager(8, 2, true);
        int[] prompt = {1, 2, 3, 4, 5};
        run(1, prompt);
        assertEquals(3, blocks.usedBlocks());
        PrefixHit hit = blocks.lookupPrefix(prompt, prompt.length - 1);
        assertEquals(4, hit.tokens());
        assertEquals(1, blocks.blocksNeeded(2, hit, 5), "shared blocks cost nothing, the last one is fresh");
        assertTrue(blocks.allocate(2, hit, 5));
        assertEquals(4, blocks.usedBlocks());
        blocks.free(1);
        assertEquals(3, blocks.usedBlocks(), "still referenced by sequence 2");
        assertEquals(0, blocks.evictableBlocks());
        blocks.free(2);
        assertEquals(0, blocks.usedBlocks());
        assertEquals(2, blocks.evictableBlocks());
    }

    @Test
    void aPartialLastBlockIsNeverShared() {
        blocks = new BlockManager(16, 4, true);
        int[] prompt = IntStream.range(0, 10).toArray();
        run(1, prompt);
        assertEquals(2, blocks.cachedBlocks(), "the 2-token last block is not registered");

        int[] extended = IntStream.range(0, 12).toArray();
        assertEquals(8, blocks.lookupPrefix(extended, extended.length - 1).tokens());

        run(2, extended); // now 3 full blocks are cached
        assertEquals(3, blocks.cachedBlocks());
        assertEquals(8, blocks.lookupPrefix(extended, 11).tokens(), "at least one token is always left to compute");
        assertEquals(12, blocks.lookupPrefix(extended, 12).tokens());
    }

    @Test
    void aDifferentSecondBlockHitsOnlyTheFirst() {
        blocks = new BlockManager(16, 4, true);
        run(1, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 0});
        int[] other = {1, 2, 3, 4, 9, 9, 9, 9, 0};
        PrefixHit hit = blocks.lookupPrefix(other, other.length - 1);
        assertEquals(4, hit.tokens());
        assertArrayEquals(new int[] {blocks.blockTable(1)[0]}, hit.blockIds());
    }

    @Test
    void aBlockIsIdentifiedByEverythingBeforeIt() {
        blocks = new BlockManager(16, 4, true);
        run(1, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 0});
        int[] sameSecondBlock = {9, 9, 9, 9, 5, 6, 7, 8, 0};
        assertEquals(0, blocks.lookupPrefix(sameSecondBlock, 8).tokens());

        run(2, sameSecondBlock);
        assertEquals(4, blocks.cachedBlocks(), "equal tokens after a different first block are a different block");
        assertEquals(8, blocks.lookupPrefix(sameSecondBlock, 8).tokens());
        assertNotEquals(blocks.blockTable(1)[1], blocks.lookupPrefix(sameSecondBlock, 8).blockIds()[1]);
    }

    @Test
    void blocksWithCollidingHashesNeverHit() {
        blocks = new BlockManager(16, 2, true);
        run(1, new int[] {0, 31, 5, 5, 0});
        int[] collidingFirst = {1, 0, 5, 5, 0}; // [1, 0] hashes like [0, 31]
        assertEquals(BlockKey.of(0, new int[] {0, 31}, 0, 2).hashCode(), BlockKey.of(0, collidingFirst, 0, 2).hashCode());
        assertEquals(0, blocks.lookupPrefix(collidingFirst, 4).tokens());
    }

    @Test
    void identicalBlocksComputedConcurrentlyAreRegisteredOnce() {
        blocks = new BlockManager(16, 2, true);
        int[] prompt = {1, 2, 3, 4, 5};
        // Both admitted before either computed: neither could hit.
        assertTrue(blocks.allocate(1, blocks.lookupPrefix(prompt, 4), 5));
        assertTrue(blocks.allocate(2, blocks.lookupPrefix(prompt, 4), 5));
        blocks.markComputed(1, prompt, 5);
        blocks.markComputed(2, prompt, 5);
        assertEquals(2, blocks.cachedBlocks());
        assertArrayEquals(Arrays.copyOf(blocks.blockTable(1), 2), blocks.lookupPrefix(prompt, 4).blockIds());

        // Sequence 2 goes on: its next full block chains onto sequence 1's registered ones.
        int[] longer = {1, 2, 3, 4, 5, 6, 7};
        assertTrue(blocks.allocate(2, PrefixHit.NONE, 7));
        blocks.markComputed(2, longer, 7);
        assertEquals(3, blocks.cachedBlocks());
        PrefixHit hit = blocks.lookupPrefix(longer, 6);
        assertEquals(6, hit.tokens());
        int[] t1 = blocks.blockTable(1);
        int[] t2 = blocks.blockTable(2);
        assertArrayEquals(new int[] {t1[0], t1[1], t2[2]}, hit.blockIds());

        blocks.free(1);
        blocks.free(2);
        assertEquals(16, blocks.freeBlocks());
        assertEquals(3, blocks.evictableBlocks(), "sequence 2's duplicates went back to the plain free list");
    }

    @Test
    void evictsTheOldestReleasedCachedBlockFirstAndATailBeforeItsHead() {
        blocks = new BlockManager(4, 2, true);
        int[] a = {1, 2, 3, 4};
        int[] b = {5, 6, 7, 8};
        run(1, a);
        blocks.free(1);
        run(2, b);
        blocks.free(2);
        assertEquals(4, blocks.evictableBlocks());
        assertEquals(4, blocks.lookupPrefix(a, 4).tokens());
        assertEquals(4, blocks.lookupPrefix(b, 4).tokens());

        assertTrue(blocks.allocate(3, PrefixHit.NONE, 2));
        assertEquals(2, blocks.lookupPrefix(a, 4).tokens(), "a's tail went first");
        assertEquals(4, blocks.lookupPrefix(b, 4).tokens());
        assertTrue(blocks.allocate(3, PrefixHit.NONE, 4));
        assertEquals(0, blocks.lookupPrefix(a, 4).tokens(), "then a's head");
        assertEquals(4, blocks.lookupPrefix(b, 4).tokens());
        assertTrue(blocks.allocate(3, PrefixHit.NONE, 6));
        assertEquals(2, blocks.lookupPrefix(b, 4).tokens(), "then b's tail");
        assertEquals(1, blocks.cachedBlocks());
    }

    @Test
    void reusingACachedPrefixMakesItTheMostRecentlyUsed() {
        blocks = new BlockManager(4, 2, true);
        int[] a = {1, 2, 3, 4};
        int[] b = {5, 6, 7, 8};
        run(1, a);
        blocks.free(1);
        run(2, b);
        blocks.free(2);
        PrefixHit hit = blocks.lookupPrefix(a, 4);
        assertTrue(blocks.allocate(3, hit, 4));
        blocks.free(3); // a is now released after b

        assertTrue(blocks.allocate(4, PrefixHit.NONE, 4));
        assertEquals(0, blocks.lookupPrefix(b, 4).tokens(), "b was the least recently used");
        assertEquals(4, blocks.lookupPrefix(a, 4).tokens());
    }

    @Test
    void withPrefixCachingOffNothingIsEverShared() {
        blocks = new BlockManager(16, 2, false);
        int[] prompt = {1, 2, 3, 4, 5};
        run(1, prompt);
        assertEquals(0, blocks.cachedBlocks());
        assertSame(PrefixHit.NONE, blocks.lookupPrefix(prompt, 4));
        blocks.free(1);
        assertEquals(0, blocks.evictableBlocks());
        PrefixHit hit = blocks.lookupPrefix(prompt, 4);
        assertEquals(0, hit.tokens());
        assertTrue(blocks.allocate(2, hit, 5));
        assertEquals(0, blocks.prefixHitTokens());
        assertEquals(0, blocks.prefixQueryTokens());
        assertEquals(0.0, blocks.hitRate());
    }

    @Test
    void forkSharesEverythingAndCopiesOnlyTheSharedPartialBlock() {
        blocks = new BlockManager(10, 4, true);
        int[] prompt = IntStream.range(0, 10).toArray();
        run(1, prompt);
        blocks.fork(1, 2);
        int[] table = blocks.blockTable(1);
        assertArrayEquals(table, blocks.blockTable(2));
        assertEquals(3, blocks.usedBlocks(), "forking takes no new block");

        assertTrue(blocks.allocate(1, PrefixHit.NONE, 11));
        List<BlockCopy> copies = blocks.prepareWrite(1, 10, 11);
        assertEquals(1, copies.size());
        assertEquals(table[2], copies.getFirst().source());
        int[] parent = blocks.blockTable(1);
        assertEquals(copies.getFirst().destination(), parent[2]);
        assertArrayEquals(Arrays.copyOf(table, 2), Arrays.copyOf(parent, 2), "full cached blocks stay shared");
        assertArrayEquals(table, blocks.blockTable(2), "the child keeps the original");

        assertTrue(blocks.allocate(2, PrefixHit.NONE, 11));
        assertEquals(List.of(), blocks.prepareWrite(2, 10, 11), "the child now owns its block alone");
        assertEquals(4, blocks.usedBlocks());
    }

    @Test
    void aWriteSpanningTheSharedPartialBlockAndANewOneCopiesOnce() {
        blocks = new BlockManager(10, 4, true);
        run(1, IntStream.range(0, 10).toArray());
        blocks.fork(1, 2);
        assertTrue(blocks.allocate(1, PrefixHit.NONE, 14));
        List<BlockCopy> copies = blocks.prepareWrite(1, 10, 14);
        assertEquals(1, copies.size());
        assertEquals(blocks.blockTable(2)[2], copies.getFirst().source());
    }

    @Test
    void rewritingARegisteredBlockCopiesItAndKeepsTheCachedOne() {
        blocks = new BlockManager(4, 2, true);
        int[] prompt = {1, 2, 3};
        run(1, prompt);
        int cached = blocks.blockTable(1)[0];
        List<BlockCopy> copies = blocks.prepareWrite(1, 1, 2);
        assertEquals(List.of(new BlockCopy(cached, blocks.blockTable(1)[0])), copies);
        assertEquals(1, blocks.evictableBlocks(), "the cached original is free but still reusable");
        assertArrayEquals(new int[] {cached}, blocks.lookupPrefix(prompt, 2).blockIds());
    }

    @Test
    void prepareWriteWithoutAFreeBlockReturnsNullAndChangesNothing() {
        blocks = new BlockManager(3, 4, true);
        run(1, IntStream.range(0, 10).toArray());
        blocks.fork(1, 2);
        int[] table = blocks.blockTable(1);
        assertNull(blocks.prepareWrite(1, 10, 11));
        assertArrayEquals(table, blocks.blockTable(1));
        assertArrayEquals(table, blocks.blockTable(2));
        assertEquals(0, blocks.freeBlocks());
        blocks.checkInvariants();

        blocks.free(2);
        assertEquals(List.of(), blocks.prepareWrite(1, 10, 11), "no longer shared, so no copy");
    }

    @Test
    void freeIsIdempotentAndIgnoresUnknownSequences() {
        blocks = new BlockManager(8, 2, true);
        run(1, new int[] {1, 2, 3, 4, 5});
        blocks.free(1);
        int free = blocks.freeBlocks();
        int evictable = blocks.evictableBlocks();
        blocks.free(1);
        blocks.free(42);
        assertEquals(free, blocks.freeBlocks());
        assertEquals(evictable, blocks.evictableBlocks());
        assertEquals(8, blocks.freeBlocks());
        assertFalse(blocks.owns(1));
        assertEquals(0, blocks.blockTable(1).length);
    }

    @Test
    void aStaleHitIsRejected() {
        blocks = new BlockManager(2, 2, true);
        int[] prompt = {1, 2, 3};
        run(1, prompt);
        blocks.free(1);
        PrefixHit hit = blocks.lookupPrefix(prompt, 2);
        assertEquals(2, hit.tokens());
        assertTrue(blocks.allocate(2, PrefixHit.NONE, 4)); // evicts the hit's block
        blocks.free(2);
        assertThrows(IllegalArgumentException.class, () -> blocks.allocate(3, hit, 3));
        assertFalse(blocks.owns(3));
    }

    @Test
    void misuseIsRefused() {
        blocks = new BlockManager(8, 2, true);
        run(1, new int[] {1, 2, 3});
        PrefixHit hit = blocks.lookupPrefix(new int[] {1, 2, 3}, 2);
        assertThrows(IllegalArgumentException.class, () -> blocks.allocate(1, hit, 4), "hit for an owning sequence");
        assertThrows(IllegalArgumentException.class, () -> blocks.allocate(2, hit, 1), "hit longer than the allocation");
        assertThrows(IllegalArgumentException.class, () -> blocks.prepareWrite(1, 3, 5), "write past the table");
        assertThrows(IllegalArgumentException.class, () -> blocks.markComputed(1, new int[] {1, 2, 3, 4, 5}, 5));
        assertThrows(IllegalArgumentException.class, () -> blocks.fork(1, 1));
        assertThrows(IllegalArgumentException.class, () -> blocks.fork(7, 8));
        assertThrows(IllegalArgumentException.class, () -> blocks.lookupPrefix(new int[] {1}, 2));
    }

    /** Admits {@code seqId} the way the scheduler does and computes its whole prompt. */
    private void run(long seqId, int[] prompt) {
        PrefixHit hit = blocks.lookupPrefix(prompt, prompt.length - 1);
        assertTrue(blocks.allocate(seqId, hit, prompt.length));
        assertEquals(List.of(), blocks.prepareWrite(seqId, hit.tokens(), prompt.length));
        blocks.markComputed(seqId, prompt, prompt.length);
        blocks.checkInvariants();
    }
}

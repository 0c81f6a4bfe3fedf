package dev.ovserve.scheduler.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.BlockCopy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link BlockManager} the way the engine does (admit with a prefix lookup, chunked
 * prefill, decode, fork, finish, cancel, preempt and re-admit) over a fake KV cache that records,
 * for every slot, exactly which prefix's KV it holds. After each operation it checks the
 * manager's invariants, its agreement with a {@link ReferenceModel}, and that every sequence
 * reads back its own KV: a wrong prefix hit or a missing copy-on-write shows up as wrong content.
 */
final class KvSimulation {
    static final class Seq {
        final long id;
        int[] tokens;
        int length;
        int computed;

        Seq(long id, int[] tokens, int length) {
            this.id = id;
            this.tokens = Arrays.copyOf(tokens, Math.max(8, length * 2));
            this.length = length;
        }

        void append(int token) {
            if (length == tokens.length) {
                tokens = Arrays.copyOf(tokens, length * 2);
            }
            tokens[length++] = token;
        }
    }

    /** What happened over a run, so properties can show they exercised the interesting paths. */
    static final class Events {
        int adoptedHitBlocks;
        int copies;
        int refusedAllocations;
        int refusedWrites;
        int evictions;
        int preemptions;
    }

    private final BlockManager blocks;
    private final ReferenceModel model;
    private final PrefixIds prefixIds = new PrefixIds();
    private final int blockSize;
    private final int[][] kv;
    private final List<Seq> running = new ArrayList<>();
    private final List<Seq> waiting = new ArrayList<>();
    private final Events events = new Events();
    private long nextId = 1;

    KvSimulation(int numBlocks, int blockSize, boolean prefixCaching) {
        this.blocks = new BlockManager(numBlocks, blockSize, prefixCaching);
        this.model = new ReferenceModel(blockSize, numBlocks);
        this.blockSize = blockSize;
        this.kv = new int[numBlocks][blockSize];
    }

    BlockManager blocks() {
        return blocks;
    }

    Events events() {
        return events;
    }

    void admitNew(int[] prompt, int chunk) {
        admit(new Seq(nextId++, prompt, prompt.length), chunk);
    }

    void readmit(int pick, int chunk) {
        if (!waiting.isEmpty()) {
            admit(waiting.remove(Math.floorMod(pick, waiting.size())), chunk);
        }
    }

    /** Prefill the next chunk, or decode: feed the sampled {@code token} once the rest is computed. */
    void step(int pick, int chunk, int token) {
        if (running.isEmpty()) {
            return;
        }
        Seq s = running.get(Math.floorMod(pick, running.size()));
        if (s.computed == s.length) {
            s.append(token);
        }
        int end = s.computed + Math.min(chunk, s.length - s.computed);
        int needed = model.blocksNeededToGrow(s.id, end);
        assertEquals(needed, blocks.blocksNeeded(s.id, PrefixHit.NONE, end), "blocks to grow");
        if (!allocate(s, PrefixHit.NONE, end, needed)) {
            preempt(s);
            return;
        }
        if (!write(s, end)) {
            preempt(s);
        }
    }

    void fork(int pick) {
        if (running.isEmpty()) {
            return;
        }
        Seq parent = running.get(Math.floorMod(pick, running.size()));
        Seq child = new Seq(nextId++, parent.tokens, parent.length);
        child.computed = parent.computed;
        blocks.fork(parent.id, child.id);
        model.forked(parent.id, child.id);
        running.add(child);
    }

    /** Finished or cancelled while running. */
    void finish(int pick) {
        if (!running.isEmpty()) {
            Seq s = running.remove(Math.floorMod(pick, running.size()));
            blocks.free(s.id);
            model.freed(s.id);
        }
    }

    /** Cancelled while waiting: it owns nothing, so freeing must change nothing. */
    void cancelWaiting(int pick) {
        if (!waiting.isEmpty()) {
            Seq s = waiting.remove(Math.floorMod(pick, waiting.size()));
            Object before = snapshot();
            blocks.free(s.id);
            assertEquals(before, snapshot(), "freeing a sequence that owns nothing");
        }
    }

    void preemptRunning(int pick) {
        if (!running.isEmpty()) {
            preempt(running.get(Math.floorMod(pick, running.size())));
        }
    }

    /** A lookup alone changes nothing, and whatever it returns holds the right KV. */
    void lookup(int[] tokens) {
        Object before = snapshot();
        checkHit(tokens, blocks.lookupPrefix(tokens, tokens.length), tokens.length);
        assertEquals(before, snapshot(), "lookupPrefix changed state");
    }

    /** Ends every sequence; afterwards every block must be free again and reusable. */
    void finishAll() {
        while (!running.isEmpty()) {
            finish(0);
            verify();
        }
        while (!waiting.isEmpty()) {
            cancelWaiting(0);
        }
        blocks.checkInvariants();
        assertEquals(0, blocks.usedBlocks(), "blocks leaked");
        assertEquals(blocks.totalBlocks(), blocks.freeBlocks(), "free blocks did not return to the total");
        assertEquals(blocks.cachedBlocks(), blocks.evictableBlocks(), "every cached block is unreferenced now");

        long all = nextId++;
        assertTrue(blocks.allocate(all, PrefixHit.NONE, blocks.totalBlocks() * blockSize),
                "a sequence must be able to take every block, evicting the whole cache");
        assertEquals(0, blocks.cachedBlocks());
        blocks.free(all);
        blocks.checkInvariants();
        assertEquals(blocks.totalBlocks(), blocks.freeBlocks());
    }

    void verify() {
        blocks.checkInvariants();
        assertEquals(blocks.totalBlocks(), blocks.freeBlocks() + blocks.usedBlocks(), "free + used != total");
        Map<Long, int[]> tables = tables();
        for (Seq s : running) {
            assertTrue(blocks.owns(s.id), "running sequence lost its blocks");
            assertEquals(model.ownedBlocks(s.id), blocks.ownedBlocks(s.id), "owned blocks of " + s.id);
            assertEquals(model.ownedBlocks(s.id), tables.get(s.id).length);
            checkContents(s, tables.get(s.id));
        }
        for (Seq s : waiting) {
            assertFalse(blocks.owns(s.id), "waiting sequence still owns blocks");
        }
        assertEquals(model.sequences().size(), running.size());
        assertEquals(blocks.totalBlocks() - model.freeBlocks(tables.values()), blocks.usedBlocks(), "used blocks");
        if (!blocks.prefixCaching()) {
            assertEquals(0, blocks.cachedBlocks());
            assertEquals(0, blocks.evictableBlocks());
        }
    }

    private void admit(Seq s, int chunk) {
        PrefixHit hit = blocks.lookupPrefix(s.tokens, s.length - 1);
        checkHit(s.tokens, hit, s.length - 1);
        int end = hit.tokens() + Math.min(chunk, s.length - hit.tokens());
        int needed = model.blocksNeededForNew(hit.blockIds(), end, tables().values());
        assertEquals(needed, blocks.blocksNeeded(s.id, hit, end), "blocks to admit");
        if (!allocate(s, hit, end, needed)) {
            waiting.add(s);
            return;
        }
        events.adoptedHitBlocks += hit.blockCount();
        assertArrayEquals(hit.blockIds(), Arrays.copyOf(blocks.blockTable(s.id), hit.blockCount()), "adopted hit");
        s.computed = hit.tokens();
        running.add(s);
        if (!write(s, end)) {
            // As the scheduler does: give the blocks back and wait.
            running.remove(s);
            blocks.free(s.id);
            model.freed(s.id);
            s.computed = 0;
            waiting.add(s);
        }
    }

    private boolean allocate(Seq s, PrefixHit hit, int end, int needed) {
        boolean fits = needed <= model.freeBlocks(tables().values());
        assertEquals(fits, blocks.canAllocate(s.id, hit, end));
        Object before = snapshot();
        int cachedBefore = blocks.cachedBlocks();
        boolean allocated = blocks.allocate(s.id, hit, end);
        assertEquals(fits, allocated, "allocate outcome");
        if (!allocated) {
            events.refusedAllocations++;
            assertEquals(before, snapshot(), "a refused allocation changed state");
            return false;
        }
        events.evictions += Math.max(0, cachedBefore - blocks.cachedBlocks());
        model.allocated(s.id, end);
        return true;
    }

    /** Runs the chunk [computed, end): copy-on-write, then the "model" writes the KV. */
    private boolean write(Seq s, int end) {
        int[] table = blocks.blockTable(s.id);
        Map<Long, int[]> tables = tables();
        int expectedCopies = model.copiesNeeded(table, s.computed, end, tables.values());
        boolean fits = expectedCopies <= model.freeBlocks(tables.values());
        Object before = snapshot();
        List<BlockCopy> copies = blocks.prepareWrite(s.id, s.computed, end);
        if (!fits) {
            assertNull(copies, "prepareWrite without enough free blocks");
            assertEquals(before, snapshot(), "a refused prepareWrite changed state");
            events.refusedWrites++;
            return false;
        }
        assertNotNull(copies);
        assertEquals(expectedCopies, copies.size(), "copy-on-write count");
        int[] after = blocks.blockTable(s.id);
        for (BlockCopy c : copies) {
            int slot = indexOf(table, c.source());
            assertTrue(slot >= s.computed / blockSize && slot <= (end - 1) / blockSize, "copy outside the write");
            assertEquals(c.destination(), after[slot]);
            kv[c.destination()] = kv[c.source()].clone();
        }
        events.copies += copies.size();
        int[] ids = prefixIds.of(s.tokens, end);
        for (int p = s.computed; p < end; p++) {
            kv[after[p / blockSize]][p % blockSize] = ids[p];
        }
        s.computed = end;
        blocks.markComputed(s.id, s.tokens, end);
        return true;
    }

    private void preempt(Seq s) {
        running.remove(s);
        blocks.free(s.id);
        model.freed(s.id);
        s.computed = 0;
        waiting.add(s);
        events.preemptions++;
    }

    private void checkHit(int[] tokens, PrefixHit hit, int maxTokens) {
        assertEquals(hit.blockCount() * blockSize, hit.tokens());
        assertTrue(hit.tokens() <= maxTokens, "hit beyond maxTokens");
        if (!blocks.prefixCaching()) {
            assertSame(PrefixHit.NONE, hit);
            return;
        }
        int[] ids = prefixIds.of(tokens, hit.tokens());
        int[] hitBlocks = hit.blockIds();
        for (int p = 0; p < hit.tokens(); p++) {
            assertEquals(ids[p], kv[hitBlocks[p / blockSize]][p % blockSize], "prefix hit holds wrong KV at " + p);
        }
    }

    private void checkContents(Seq s, int[] table) {
        int[] ids = prefixIds.of(s.tokens, s.computed);
        for (int p = 0; p < s.computed; p++) {
            assertEquals(ids[p], kv[table[p / blockSize]][p % blockSize],
                    "sequence " + s.id + " reads wrong KV at position " + p);
        }
    }

    private Map<Long, int[]> tables() {
        Map<Long, int[]> tables = new LinkedHashMap<>();
        for (Seq s : running) {
            tables.put(s.id, blocks.blockTable(s.id));
        }
        return tables;
    }

    /** Everything observable, comparable with equals. */
    private Object snapshot() {
        Map<Long, List<Integer>> tables = new LinkedHashMap<>();
        for (Map.Entry<Long, int[]> e : tables().entrySet()) {
            tables.put(e.getKey(), Arrays.stream(e.getValue()).boxed().toList());
        }
        return List.of(blocks.freeBlocks(), blocks.usedBlocks(), blocks.cachedBlocks(), blocks.evictableBlocks(),
                blocks.prefixQueryTokens(), blocks.prefixHitTokens(), tables);
    }

    private static int indexOf(int[] table, int block) {
        for (int i = 0; i < table.length; i++) {
            if (table[i] == block) {
                return i;
            }
        }
        throw new AssertionError("copy source " + block + " is not in the table " + Arrays.toString(table));
    }
}

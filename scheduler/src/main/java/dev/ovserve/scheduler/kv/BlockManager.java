package dev.ovserve.scheduler.kv;

import dev.ovserve.scheduler.BlockCopy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The paged KV cache's block accounting: which sequence owns which blocks, reference counts for
 * blocks shared by forks and prefix hits, copy-on-write, and the prefix cache of full computed
 * blocks. Owned by the engine thread; not thread-safe.
 *
 * <p>Every block is either used (ref &gt; 0) or free, and a free block is either plain (free list)
 * or still cached (evictable, least recently released first). Allocation takes plain blocks
 * first, then evicts. Operations cost O(blocks touched).
 */
public final class BlockManager {
    private final int numBlocks;
    private final int blockSize;
    private final boolean prefixCaching;

    private final int[] refCount;
    /** The key a block is registered under in {@link #prefixMap}, or null. */
    private final BlockKey[] keyOf;
    /** The registered key's id (0 when unregistered); ids are never reused. */
    private final long[] keyIdOf;
    private final ArrayDeque<Integer> freeList;
    private final EvictionQueue evictable;
    private final Map<BlockKey, Integer> prefixMap = new HashMap<>();
    private final Map<Long, SequenceBlocks> sequences = new HashMap<>();

    private int usedBlocks;
    private long nextKeyId = BlockKey.ROOT + 1;
    private long prefixQueryTokens;
    private long prefixHitTokens;

    public BlockManager(int numBlocks, int blockSize, boolean prefixCaching) {
        if (numBlocks <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("need at least one block of at least one token, got " + numBlocks
                    + " blocks of " + blockSize);
        }
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
        this.refCount = new int[numBlocks];
        this.keyOf = new BlockKey[numBlocks];
        this.keyIdOf = new long[numBlocks];
        this.freeList = new ArrayDeque<>(numBlocks);
        for (int b = 0; b < numBlocks; b++) {
            freeList.addLast(b);
        }
        this.evictable = new EvictionQueue(numBlocks);
    }

    /**
     * The longest run of cached full blocks matching {@code tokens[0..maxTokens)} from the start.
     * Changes nothing. With prefix caching off it is {@link PrefixHit#NONE}.
     */
    public PrefixHit lookupPrefix(int[] tokens, int maxTokens) {
        return lookupPrefix(tokens, maxTokens, null);
    }

    /**
     * As {@link #lookupPrefix(int[], int)}, among blocks computed with the same cache salt (null:
     * among unsalted ones only).
     */
    public PrefixHit lookupPrefix(int[] tokens, int maxTokens, String salt) {
        if (maxTokens < 0 || maxTokens > tokens.length) {
            throw new IllegalArgumentException("maxTokens " + maxTokens + " outside 0.." + tokens.length);
        }
        if (!prefixCaching) {
            return PrefixHit.NONE;
        }
        int fullBlocks = maxTokens / blockSize;
        int[] blocks = new int[fullBlocks];
        long[] keyIds = new long[fullBlocks];
        int hits = 0;
        long parent = BlockKey.ROOT;
        while (hits < fullBlocks) {
            Integer block = prefixMap.get(BlockKey.of(parent, salt, tokens, hits * blockSize, blockSize));
            if (block == null) {
                break;
            }
            blocks[hits] = block;
            keyIds[hits] = keyIdOf[block];
            parent = keyIdOf[block];
            hits++;
        }
        return new PrefixHit(Arrays.copyOf(blocks, hits), Arrays.copyOf(keyIds, hits),
                hits * blockSize, maxTokens);
    }

    /**
     * Blocks {@link #allocate} would take out of {@link #freeBlocks()}: the fresh ones, plus the
     * hit's blocks that are cached but free (adopting them takes them off the evictable set).
     */
    public int blocksNeeded(long seqId, PrefixHit hit, int totalTokens) {
        return blocksNeeded(sequences.get(seqId), hit, totalTokens);
    }

    public boolean canAllocate(long seqId, PrefixHit hit, int totalTokens) {
        return blocksNeeded(seqId, hit, totalTokens) <= freeBlocks();
    }

    /**
     * Makes {@code seqId} own blocks for positions {@code [0, totalTokens)}. A sequence owning
     * nothing first adopts {@code hit}'s blocks; an owning one must pass an empty hit and grows
     * (never shrinks). All or nothing: false, with nothing changed, when blocks are short.
     */
    public boolean allocate(long seqId, PrefixHit hit, int totalTokens) {
        SequenceBlocks seq = sequences.get(seqId);
        if (blocksNeeded(seq, hit, totalTokens) > freeBlocks()) {
            return false;
        }
        if (seq == null) {
            seq = new SequenceBlocks();
            sequences.put(seqId, seq);
        }
        if (seq.size() == 0) {
            adopt(seq, hit);
        }
        int target = blocksFor(totalTokens);
        while (seq.size() < target) {
            seq.add(takeFreeBlock());
        }
        return true;
    }

    /**
     * Makes the blocks under positions {@code [from, to)} of {@code seqId} exclusively writable:
     * each shared or prefix-registered one is replaced by a copy. Returns the copies for the
     * runner to perform before the step, or null (nothing changed) when blocks are short.
     */
    public List<BlockCopy> prepareWrite(long seqId, int fromPosition, int toPosition) {
        if (fromPosition < 0 || toPosition < fromPosition) {
            throw new IllegalArgumentException("bad write range [" + fromPosition + ", " + toPosition + ")");
        }
        if (fromPosition == toPosition) {
            return List.of();
        }
        SequenceBlocks seq = require(seqId);
        if (toPosition > seq.size() * blockSize) {
            throw new IllegalArgumentException("sequence " + seqId + " owns " + seq.size() * blockSize
                    + " positions, cannot write up to " + toPosition + "; allocate first");
        }
        int first = fromPosition / blockSize;
        int last = (toPosition - 1) / blockSize;
        int copies = 0;
        for (int i = first; i <= last; i++) {
            if (needsCopy(seq.get(i))) {
                copies++;
            }
        }
        if (copies > freeBlocks()) {
            return null;
        }
        seq.forgetKeyIdsFrom(first);
        if (copies == 0) {
            return List.of();
        }
        List<BlockCopy> result = new ArrayList<>(copies);
        for (int i = first; i <= last; i++) {
            int old = seq.get(i);
            if (needsCopy(old)) {
                int fresh = takeFreeBlock(); // old still holds a reference, so it cannot be the one evicted
                seq.set(i, fresh);
                release(old);
                result.add(new BlockCopy(old, fresh));
            }
        }
        return result;
    }

    /**
     * The KV of {@code tokens[0, computedTokens)} is now in {@code seqId}'s blocks: with prefix
     * caching on, registers each newly full block, unless an identical one is already registered
     * (then this one stays unregistered and the sequence's chain continues through the other).
     */
    public void markComputed(long seqId, int[] tokens, int computedTokens) {
        markComputed(seqId, tokens, computedTokens, null);
    }

    /** As {@link #markComputed(long, int[], int)}, registering the blocks under {@code salt}. */
    public void markComputed(long seqId, int[] tokens, int computedTokens, String salt) {
        SequenceBlocks seq = require(seqId);
        if (computedTokens < 0 || computedTokens > tokens.length || computedTokens > seq.size() * blockSize) {
            throw new IllegalArgumentException("sequence " + seqId + " cannot have computed " + computedTokens
                    + " tokens (" + tokens.length + " given, " + seq.size() * blockSize + " positions owned)");
        }
        if (!prefixCaching) {
            return;
        }
        int fullBlocks = computedTokens / blockSize;
        for (int i = seq.identified(); i < fullBlocks; i++) {
            int block = seq.get(i);
            if (keyOf[block] != null) {
                seq.addKeyId(keyIdOf[block]);
                continue;
            }
            long parent = i == 0 ? BlockKey.ROOT : seq.keyId(i - 1);
            BlockKey key = BlockKey.of(parent, salt, tokens, i * blockSize, blockSize);
            Integer twin = prefixMap.putIfAbsent(key, block);
            if (twin != null) {
                seq.addKeyId(keyIdOf[twin]);
            } else {
                keyOf[block] = key;
                keyIdOf[block] = nextKeyId++;
                seq.addKeyId(keyIdOf[block]);
            }
        }
    }

    /** {@code childSeqId} shares all of {@code parentSeqId}'s blocks (n &gt; 1 siblings). */
    public void fork(long parentSeqId, long childSeqId) {
        SequenceBlocks parent = require(parentSeqId);
        if (sequences.containsKey(childSeqId)) {
            throw new IllegalArgumentException("sequence " + childSeqId + " already owns blocks");
        }
        SequenceBlocks child = parent.copy();
        for (int i = 0; i < child.size(); i++) {
            refCount[child.get(i)]++; // already > 0: the parent holds it
        }
        sequences.put(childSeqId, child);
    }

    /**
     * Releases all of {@code seqId}'s blocks (finish, cancel, preemption); unknown ids are
     * ignored. Released from the last block back, so a cached prefix's tail is evicted before
     * its head.
     */
    public void free(long seqId) {
        SequenceBlocks seq = sequences.remove(seqId);
        if (seq == null) {
            return;
        }
        for (int i = seq.size() - 1; i >= 0; i--) {
            release(seq.get(i));
        }
    }

    /** A copy of the sequence's block table; empty for an unknown id. */
    public int[] blockTable(long seqId) {
        SequenceBlocks seq = sequences.get(seqId);
        return seq == null ? new int[0] : seq.toArray();
    }

    public int ownedBlocks(long seqId) {
        SequenceBlocks seq = sequences.get(seqId);
        return seq == null ? 0 : seq.size();
    }

    public boolean owns(long seqId) {
        return sequences.containsKey(seqId);
    }

    public int blockSize() {
        return blockSize;
    }

    public boolean prefixCaching() {
        return prefixCaching;
    }

    public int totalBlocks() {
        return numBlocks;
    }

    /** Blocks allocation can use: plain free plus cached-but-unreferenced (evictable). */
    public int freeBlocks() {
        return freeList.size() + evictable.size();
    }

    public int evictableBlocks() {
        return evictable.size();
    }

    /** Blocks with a reference count above zero. */
    public int usedBlocks() {
        return usedBlocks;
    }

    /** Blocks registered in the prefix cache, referenced or not. */
    public int cachedBlocks() {
        return prefixMap.size();
    }

    public double usage() {
        return (double) usedBlocks / numBlocks;
    }

    /** Tokens looked up by lookups whose hit was adopted by {@link #allocate}. */
    public long prefixQueryTokens() {
        return prefixQueryTokens;
    }

    /** Tokens covered by adopted hits. */
    public long prefixHitTokens() {
        return prefixHitTokens;
    }

    public double hitRate() {
        return prefixQueryTokens == 0 ? 0.0 : (double) prefixHitTokens / prefixQueryTokens;
    }

    /** Scans everything; throws {@link IllegalStateException} naming the first violation found. */
    public void checkInvariants() {
        new InvariantCheck().run();
    }

    private int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    private int blocksNeeded(SequenceBlocks seq, PrefixHit hit, int totalTokens) {
        Objects.requireNonNull(hit, "hit");
        if (totalTokens < 0) {
            throw new IllegalArgumentException("negative token count " + totalTokens);
        }
        boolean adopts = seq == null || seq.size() == 0;
        if (!adopts) {
            if (!hit.isEmpty()) {
                throw new IllegalArgumentException("a prefix hit only applies to a sequence that owns no blocks yet");
            }
            return Math.max(0, blocksFor(totalTokens) - seq.size());
        }
        if (hit.tokens() > totalTokens) {
            throw new IllegalArgumentException("hit covers " + hit.tokens() + " tokens, more than the " + totalTokens
                    + " to allocate");
        }
        int adoptedFree = 0;
        for (int i = 0; i < hit.blockCount(); i++) {
            int block = hit.blockId(i);
            if (keyIdOf[block] != hit.keyId(i)) {
                throw new IllegalArgumentException("stale prefix hit: block " + block + " was evicted since the lookup");
            }
            if (refCount[block] == 0) {
                adoptedFree++;
            }
        }
        return adoptedFree + blocksFor(totalTokens) - hit.blockCount();
    }

    private void adopt(SequenceBlocks seq, PrefixHit hit) {
        for (int i = 0; i < hit.blockCount(); i++) {
            int block = hit.blockId(i);
            if (refCount[block]++ == 0) {
                evictable.remove(block);
                usedBlocks++;
            }
            seq.add(block);
            seq.addKeyId(hit.keyId(i));
        }
        prefixQueryTokens += hit.queryTokens();
        prefixHitTokens += hit.tokens();
    }

    private boolean needsCopy(int block) {
        return refCount[block] > 1 || keyOf[block] != null;
    }

    private int takeFreeBlock() {
        Integer plain = freeList.pollFirst();
        int block;
        if (plain != null) {
            block = plain;
        } else {
            block = evictable.pollOldest();
            prefixMap.remove(keyOf[block]);
            keyOf[block] = null;
            keyIdOf[block] = 0;
        }
        refCount[block] = 1;
        usedBlocks++;
        return block;
    }

    private void release(int block) {
        if (--refCount[block] > 0) {
            return;
        }
        usedBlocks--;
        if (keyOf[block] != null) {
            evictable.addNewest(block);
        } else {
            freeList.addFirst(block); // reuse the most recently touched block first
        }
    }

    private SequenceBlocks require(long seqId) {
        SequenceBlocks seq = sequences.get(seqId);
        if (seq == null) {
            throw new IllegalArgumentException("sequence " + seqId + " owns no blocks");
        }
        return seq;
    }

    private final class InvariantCheck {
        private final int[] occurrences = new int[numBlocks];

        void run() {
            checkTables();
            int used = 0;
            for (int b = 0; b < numBlocks; b++) {
                if (refCount[b] != occurrences[b]) {
                    fail("block " + b + " has refcount " + refCount[b] + " but " + occurrences[b] + " table slots");
                }
                if (refCount[b] > 0) {
                    used++;
                }
            }
            if (used != usedBlocks) {
                fail(used + " blocks are referenced but usedBlocks() is " + usedBlocks);
            }
            checkFreeSets();
            if (freeBlocks() + usedBlocks != numBlocks) {
                fail("free " + freeBlocks() + " + used " + usedBlocks + " != total " + numBlocks);
            }
            checkPrefixMap();
        }

        private void checkTables() {
            for (Map.Entry<Long, SequenceBlocks> e : sequences.entrySet()) {
                SequenceBlocks seq = e.getValue();
                Set<Integer> seen = new HashSet<>();
                for (int i = 0; i < seq.size(); i++) {
                    int b = seq.get(i);
                    if (b < 0 || b >= numBlocks) {
                        fail("sequence " + e.getKey() + " holds block id " + b + " out of range");
                    }
                    if (!seen.add(b)) {
                        fail("sequence " + e.getKey() + " holds block " + b + " twice");
                    }
                    occurrences[b]++;
                }
                if (seq.identified() > seq.size()) {
                    fail("sequence " + e.getKey() + " identifies " + seq.identified() + " of " + seq.size() + " blocks");
                }
                for (int i = 0; i < seq.identified(); i++) {
                    int b = seq.get(i);
                    if (keyOf[b] != null && keyIdOf[b] != seq.keyId(i)) {
                        fail("sequence " + e.getKey() + " sees block " + b + " as key " + seq.keyId(i)
                                + " but it is registered as " + keyIdOf[b]);
                    }
                }
            }
        }

        private void checkFreeSets() {
            boolean[] plain = new boolean[numBlocks];
            for (int b : freeList) {
                if (plain[b]) {
                    fail("block " + b + " is on the free list twice");
                }
                plain[b] = true;
            }
            boolean[] cached = new boolean[numBlocks];
            for (int b : evictable.toArray()) {
                cached[b] = true;
            }
            for (int b = 0; b < numBlocks; b++) {
                if (cached[b] != evictable.contains(b)) {
                    fail("block " + b + " evictable flag disagrees with the eviction queue");
                }
                if (refCount[b] > 0 && (plain[b] || cached[b])) {
                    fail("block " + b + " is referenced yet " + (plain[b] ? "on the free list" : "evictable"));
                }
                if (refCount[b] == 0 && plain[b] == cached[b]) {
                    fail("free block " + b + " is " + (plain[b] ? "both on the free list and evictable" : "lost"));
                }
                if (plain[b] && keyOf[b] != null) {
                    fail("block " + b + " is on the plain free list but registered in the prefix cache");
                }
                if (cached[b] && keyOf[b] == null) {
                    fail("block " + b + " is evictable but not registered in the prefix cache");
                }
            }
        }

        private void checkPrefixMap() {
            if (!prefixCaching && !prefixMap.isEmpty()) {
                fail("prefix caching is off but " + prefixMap.size() + " blocks are registered");
            }
            int registered = 0;
            for (int b = 0; b < numBlocks; b++) {
                if ((keyOf[b] == null) != (keyIdOf[b] == 0)) {
                    fail("block " + b + " has key " + keyOf[b] + " with id " + keyIdOf[b]);
                }
                if (keyOf[b] != null) {
                    registered++;
                    if (keyIdOf[b] >= nextKeyId) {
                        fail("block " + b + " has key id " + keyIdOf[b] + " never handed out");
                    }
                }
            }
            for (Map.Entry<BlockKey, Integer> e : prefixMap.entrySet()) {
                int b = e.getValue();
                if (keyOf[b] != e.getKey()) {
                    fail("prefix map sends " + e.getKey() + " to block " + b + " registered as " + keyOf[b]);
                }
            }
            if (registered != prefixMap.size()) {
                fail(registered + " blocks carry a key but the prefix map holds " + prefixMap.size());
            }
        }

        private void fail(String message) {
            throw new IllegalStateException("KV block invariant violated: " + message);
        }
    }
}

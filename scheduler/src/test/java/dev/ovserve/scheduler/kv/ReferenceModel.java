package dev.ovserve.scheduler.kv;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the block manager should do, from first principles. Each sequence covers token positions
 * {@code [0, n)} with n the most it was allocated, so it owns ceil(n / blockSize) blocks. Which
 * physical blocks is the manager's choice, so predictions about sharing take the observed tables.
 */
final class ReferenceModel {
    private final int blockSize;
    private final int totalBlocks;
    private final Map<Long, Integer> positions = new HashMap<>();

    ReferenceModel(int blockSize, int totalBlocks) {
        this.blockSize = blockSize;
        this.totalBlocks = totalBlocks;
    }

    void allocated(long seq, int tokens) {
        positions.merge(seq, tokens, Math::max);
    }

    void forked(long parent, long child) {
        positions.put(child, positions.get(parent));
    }

    void freed(long seq) {
        positions.remove(seq);
    }

    boolean owns(long seq) {
        return positions.containsKey(seq);
    }

    Set<Long> sequences() {
        return positions.keySet();
    }

    int ownedBlocks(long seq) {
        return blocksFor(positions.getOrDefault(seq, 0));
    }

    /** A block is used while some table holds it; every other block can be allocated. */
    int freeBlocks(Collection<int[]> tables) {
        return totalBlocks - distinct(tables).size();
    }

    /** Fresh blocks beyond the hit, plus hit blocks no table holds (they leave the free pool). */
    int blocksNeededForNew(int[] hitBlocks, int tokens, Collection<int[]> tables) {
        Set<Integer> used = distinct(tables);
        int adoptedFree = 0;
        for (int b : hitBlocks) {
            if (!used.contains(b)) {
                adoptedFree++;
            }
        }
        return adoptedFree + blocksFor(tokens) - hitBlocks.length;
    }

    int blocksNeededToGrow(long seq, int tokens) {
        return Math.max(0, blocksFor(tokens) - ownedBlocks(seq));
    }

    /** Blocks under positions [from, to) that another table slot also holds. */
    int copiesNeeded(int[] table, int from, int to, Collection<int[]> tables) {
        Map<Integer, Integer> holders = new HashMap<>();
        for (int[] t : tables) {
            for (int b : t) {
                holders.merge(b, 1, Integer::sum);
            }
        }
        int copies = 0;
        for (int i = from / blockSize; i <= (to - 1) / blockSize; i++) {
            if (holders.get(table[i]) > 1) {
                copies++;
            }
        }
        return copies;
    }

    static Set<Integer> distinct(Collection<int[]> tables) {
        Set<Integer> all = new HashSet<>();
        for (int[] t : tables) {
            for (int b : t) {
                all.add(b);
            }
        }
        return all;
    }

    private int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }
}

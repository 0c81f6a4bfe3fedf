package dev.ovserve.models.paged;

import dev.ovserve.openvino.CompiledModel;
import dev.ovserve.openvino.ElementType;
import dev.ovserve.openvino.InferRequest;
import dev.ovserve.openvino.PartialShape;
import dev.ovserve.openvino.Port;
import dev.ovserve.openvino.Tensor;
import dev.ovserve.scheduler.BlockCopy;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The key and value cache tensors of every layer, in the element type and per-block layout
 * the compiled model asks for (on CPU: u8 with per-token scales by default, block size 32).
 * Owns their memory; set once on the infer request.
 */
final class KvCache implements AutoCloseable {
    private record Layer(String name, ElementType type, long[] shape, long blockBytes, MemorySegment memory, Tensor tensor) {}

    private final List<Layer> layers = new ArrayList<>();
    private final int numBlocks;
    private final int blockSize;

    private KvCache(int numBlocks, int blockSize) {
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
    }

    /** Sizes the cache to {@code bytes} across all key_cache.N / value_cache.N inputs. */
    static KvCache allocate(CompiledModel compiled, List<Port> cacheInputs, long bytes) {
        long perBlock = 0;
        int blockSize = -1;
        for (Port p : cacheInputs) {
            perBlock += blockBytes(p);
            if (p.name().startsWith("value_cache.")) {
                blockSize = (int) p.shape().dimension(2).length(); // values hold exactly block-size tokens
            }
        }
        if (blockSize <= 0) {
            throw new IllegalStateException("cannot tell the block size from " + cacheInputs);
        }
        int numBlocks = (int) Math.min(Integer.MAX_VALUE, bytes / perBlock);
        if (numBlocks < 1) {
            throw new IllegalArgumentException("--kv-cache-size " + bytes + " bytes holds no block (one block is "
                    + perBlock + " bytes across layers)");
        }
        KvCache cache = new KvCache(numBlocks, blockSize);
        try {
            for (Port p : cacheInputs) {
                long[] shape = p.shape().dims().clone();
                shape[0] = numBlocks;
                Tensor tensor = Tensor.create(p.elementType(), shape);
                cache.layers.add(new Layer(p.name(), p.elementType(), shape, blockBytes(p), tensor.data(), tensor));
            }
        } catch (RuntimeException e) {
            cache.close();
            throw e;
        }
        return cache;
    }

    private static long blockBytes(Port p) {
        PartialShape s = p.shape();
        if (s.rank() != 4 || p.elementType() == ElementType.DYNAMIC) {
            throw new IllegalStateException("KV cache input " + p + " is not a static 4-D layout after compilation");
        }
        long elements = 1;
        for (int i = 1; i < 4; i++) {
            if (!s.dimension(i).isStatic()) {
                throw new IllegalStateException("KV cache input " + p + " has a dynamic dimension " + i);
            }
            elements *= s.dimension(i).length();
        }
        return p.elementType().byteSize(elements);
    }

    /**
     * Touches every page now, so the whole pool is resident from load on. Otherwise resident memory
     * creeps up for minutes under load as freed blocks (kept for the prefix cache) give way to
     * never-used ones, and a real leak could hide behind that climb.
     */
    void commit() {
        layers.parallelStream().forEach(l -> l.memory.fill((byte) 0));
    }

    void bind(InferRequest request) {
        for (Layer l : layers) {
            request.setTensor(l.name, l.tensor);
        }
    }

    /** Copy-on-write: whole blocks, every layer, keys and values. */
    void copy(List<BlockCopy> copies) {
        for (BlockCopy c : copies) {
            for (Layer l : layers) {
                MemorySegment.copy(l.memory, c.source() * l.blockBytes, l.memory, c.destination() * l.blockBytes, l.blockBytes);
            }
        }
    }

    int numBlocks() {
        return numBlocks;
    }

    int blockSize() {
        return blockSize;
    }

    long bytes() {
        long b = 0;
        for (Layer l : layers) {
            b += l.memory.byteSize();
        }
        return b;
    }

    String describe() {
        Layer k = layers.getFirst();
        return layers.size() / 2 + " layers, " + numBlocks + " blocks of " + blockSize + " tokens, key " + k.type
                + java.util.Arrays.toString(k.shape) + ", " + bytes() / (1 << 20) + " MiB";
    }

    @Override
    public void close() {
        for (Layer l : layers) {
            l.tensor.close();
        }
    }
}

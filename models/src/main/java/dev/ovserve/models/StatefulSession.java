package dev.ovserve.models;

import dev.ovserve.openvino.ElementType;
import dev.ovserve.openvino.InferRequest;
import dev.ovserve.openvino.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One sequence on a {@link StatefulModel}: each {@link #append} feeds new tokens after all the
 * earlier ones (the KV cache stays in the request's state) and returns their logits. A fresh
 * session starts from an empty cache, since the C API has no state reset.
 */
public final class StatefulSession implements AutoCloseable {
    private final InferRequest request;
    private final int vocabSize;
    private final Tensor beamIdx;
    // Input buffers live as long as the session and grow on demand: per-step allocation would
    // put an arena close on every token.
    private final Arena arena = Arena.ofShared();
    private MemorySegment ids = MemorySegment.NULL;
    private MemorySegment positions = MemorySegment.NULL;
    private MemorySegment mask = MemorySegment.NULL;
    private int length;

    StatefulSession(InferRequest request, int vocabSize) {
        this.request = request;
        this.vocabSize = vocabSize;
        this.beamIdx = Tensor.allocate(ElementType.I32, 1); // zero: one beam that keeps its own cache
    }

    private MemorySegment atLeast(MemorySegment buffer, long longs) {
        if (buffer.byteSize() >= longs * Long.BYTES) {
            return buffer;
        }
        MemorySegment grown = arena.allocate(Long.BYTES * Math.max(longs, 2 * buffer.byteSize() / Long.BYTES), 64);
        grown.fill((byte) 0);
        return grown;
    }

    /** Runs {@code tokens} and returns row-major logits, {@code tokens.length × vocabSize}. */
    public float[] append(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("append needs at least one token");
        }
        int total = length + tokens.length;
        ids = atLeast(ids, tokens.length);
        positions = atLeast(positions, tokens.length);
        mask = atLeast(mask, total);
        for (int i = 0; i < tokens.length; i++) {
            ids.setAtIndex(ValueLayout.JAVA_LONG, i, tokens[i]);
            positions.setAtIndex(ValueLayout.JAVA_LONG, i, length + i);
        }
        for (int i = 0; i < total; i++) { // no padding: every position so far is attended to
            mask.setAtIndex(ValueLayout.JAVA_LONG, i, 1L);
        }
        try (Tensor idsTensor = Tensor.wrap(ElementType.I64, new long[] {1, tokens.length}, ids);
             Tensor positionsTensor = Tensor.wrap(ElementType.I64, new long[] {1, tokens.length}, positions);
             Tensor maskTensor = Tensor.wrap(ElementType.I64, new long[] {1, total}, mask)) {
            request.setTensor("input_ids", idsTensor);
            request.setTensor("position_ids", positionsTensor);
            request.setTensor("attention_mask", maskTensor);
            request.setTensor("beam_idx", beamIdx);
            request.infer();
            length = total;
            try (Tensor logits = request.getTensor("logits")) {
                MemorySegment data = logits.data();
                return data.asSlice(0, (long) tokens.length * vocabSize * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
            }
        }
    }

    /** Tokens in the cache so far. */
    public int length() {
        return length;
    }

    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public void close() {
        request.close();
        beamIdx.close();
        arena.close();
    }
}

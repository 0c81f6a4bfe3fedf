package dev.ovserve.models.ir;

import dev.ovserve.models.quant.QuantizedMatrix;

/** Where a graph builder gets weights, by Hugging Face tensor name. */
public interface SourceWeights {
    boolean has(String name);

    /** The tensor as float32, row-major in Hugging Face's layout. */
    float[] floats(String name);

    /**
     * The tensor in the source's own low-bit form (GGUF blocks) to be written as it is, or null
     * when the converter is to write {@link #floats} in the requested format.
     */
    default QuantizedMatrix quantized(String name) {
        return null;
    }
}

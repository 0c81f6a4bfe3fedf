package dev.ovserve.models.gguf;

/**
 * One tensor of a GGUF file.
 *
 * @param dims   ggml order: {@code dims[0]} is the innermost (contiguous) axis, so a matrix
 *               {@code [rows, cols]} in PyTorch terms is {@code {cols, rows}} here
 * @param offset from the start of the tensor data section
 */
public record GgufTensor(String name, GgmlType type, long[] dims, long offset) {
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return elementCount() / type.blockSize() * type.blockBytes();
    }

    /** Length of the innermost axis (a matrix's columns). */
    public long cols() {
        return dims.length == 0 ? 1 : dims[0];
    }

    /** Product of every axis but the innermost (a matrix's rows). */
    public long rows() {
        return elementCount() / cols();
    }
}

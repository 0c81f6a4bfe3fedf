package dev.ovserve.models.gguf;

/**
 * ggml's tensor element types, by their GGUF id. Only the types with a {@code blockBytes} can be
 * read; the others are named so an unsupported file fails with a clear message.
 */
public enum GgmlType {
    F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 0), Q5_1(7, 32, 0), Q8_0(8, 32, 34),
    Q8_1(9, 32, 0), Q2_K(10, 256, 0), Q3_K(11, 256, 0), Q4_K(12, 256, 0), Q5_K(13, 256, 0), Q6_K(14, 256, 0),
    Q8_K(15, 256, 0), IQ2_XXS(16, 256, 0), IQ2_XS(17, 256, 0), IQ3_XXS(18, 256, 0), IQ1_S(19, 256, 0), IQ4_NL(20, 32, 0),
    IQ3_S(21, 256, 0), IQ2_S(22, 256, 0), IQ4_XS(23, 256, 0), I8(24, 1, 0), I16(25, 1, 0), I32(26, 1, 0), I64(27, 1, 0),
    F64(28, 1, 0), IQ1_M(29, 256, 0), BF16(30, 1, 2);

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Elements per block (1 for plain float types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block; 0 when this reader cannot decode the type. */
    public int blockBytes() {
        return blockBytes;
    }

    public boolean supported() {
        return blockBytes > 0;
    }

    public static GgmlType of(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown ggml tensor type id " + id);
    }
}

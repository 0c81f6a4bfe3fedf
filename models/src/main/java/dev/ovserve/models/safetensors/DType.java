package dev.ovserve.models.safetensors;

/**
 * Element types of the safetensors format, spelled as in the header's {@code dtype} field.
 * Only whole-byte types are listed; anything else is rejected when a header is parsed.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    F64(8), I64(8), U64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Parses a header dtype, failing with the tensor's name so a bad file is easy to locate. */
    public static DType parse(String tensorName, String text) {
        for (DType t : values()) {
            if (t.name().equals(text)) {
                return t;
            }
        }
        throw new SafetensorsException("tensor '" + tensorName + "' has unknown dtype '" + text + "'");
    }
}

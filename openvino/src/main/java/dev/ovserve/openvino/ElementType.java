package dev.ovserve.openvino;

/**
 * The C API's {@code ov_element_type_e}, in declaration order (ordinal == C value), with the bit
 * width of one element. Sub-byte types (u1..u6, i4, nf4, f4e2m1) pack several elements per byte.
 */
public enum ElementType {
    DYNAMIC("dynamic", 0),
    BOOLEAN("boolean", 8),
    BF16("bf16", 16),
    F16("f16", 16),
    F32("f32", 32),
    F64("f64", 64),
    I4("i4", 4),
    I8("i8", 8),
    I16("i16", 16),
    I32("i32", 32),
    I64("i64", 64),
    U1("u1", 1),
    U2("u2", 2),
    U3("u3", 3),
    U4("u4", 4),
    U6("u6", 6),
    U8("u8", 8),
    U16("u16", 16),
    U32("u32", 32),
    U64("u64", 64),
    NF4("nf4", 4),
    F8E4M3("f8e4m3", 8),
    /** Spelled {@code F8E5M3} in the C header; it is OpenVINO's f8e5m2. */
    F8E5M2("f8e5m2", 8),
    /** Elements are C++ std::string objects; not usable over Java memory. */
    STRING("string", 0),
    F4E2M1("f4e2m1", 4),
    F8E8M0("f8e8m0", 8);

    private static final ElementType[] BY_CODE = values();

    private final String ovName;
    private final int bits;

    ElementType(String ovName, int bits) {
        this.ovName = ovName;
        this.bits = bits;
    }

    /** The C enum value. */
    public int code() {
        return ordinal();
    }

    public static ElementType of(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("Unknown ov_element_type_e " + code);
        }
        return BY_CODE[code];
    }

    /** OpenVINO's own name, as used in IR files and property values (e.g. {@code f32}). */
    public String ovName() {
        return ovName;
    }

    public int bitWidth() {
        return bits;
    }

    /** Whether elements have a fixed size that can live in plain memory. */
    public boolean hasFixedSize() {
        return bits > 0;
    }

    /**
     * Bytes needed for {@code count} elements, as OpenVINO computes it: u3 packs 8 elements in
     * 3 bytes, u6 packs 4 in 3 bytes, other sub-byte types round up to whole bytes.
     */
    public long byteSize(long count) {
        if (!hasFixedSize()) {
            throw new UnsupportedOperationException(ovName + " has no fixed element size");
        }
        return switch (this) {
            case U3 -> (count + 7) / 8 * 3;
            case U6 -> (count + 3) / 4 * 3;
            default -> (count * bits + 7) / 8;
        };
    }

    public static ElementType fromOvName(String name) {
        for (ElementType t : BY_CODE) {
            if (t.ovName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown element type " + name);
    }

    @Override
    public String toString() {
        return ovName;
    }
}

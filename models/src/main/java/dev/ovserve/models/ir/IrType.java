package dev.ovserve.models.ir;

/** Element types as the IR XML spells them. */
public enum IrType {
    F32("f32", "FP32"), F16("f16", "FP16"), I64("i64", "I64"), I32("i32", "I32"), U8("u8", "U8"), I8("i8", "I8"),
    U4("u4", "U4"), I4("i4", "I4"), BOOL("boolean", "BOOL");

    private final String irName;
    private final String precision;

    IrType(String irName, String precision) {
        this.irName = irName;
        this.precision = precision;
    }

    /** The spelling of output-port precisions in the XML. */
    public String precision() {
        return precision;
    }

    public String irName() {
        return irName;
    }
}

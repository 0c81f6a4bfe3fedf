package dev.ovserve.models.ir;

import java.util.Locale;
import java.util.Map;

/** The element type an op produces, for the precision the IR writes on each output port. */
final class OutputTypes {
    private OutputTypes() {}

    static IrType infer(String opType, Map<String, String> attrs, IrGraph.Out... inputs) {
        return switch (opType) {
            case "ShapeOf", "Range" -> IrType.valueOf(attrs.getOrDefault("output_type", "i64").toUpperCase(Locale.ROOT));
            case "Convert" -> fromIrName(attrs.get("destination_type"));
            case "Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr", "LogicalNot" -> IrType.BOOL;
            case "Select" -> inputs[1].type();
            default -> inputs[0].type();
        };
    }

    static IrType fromIrName(String name) {
        for (IrType t : IrType.values()) {
            if (t.irName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown IR element type " + name);
    }
}

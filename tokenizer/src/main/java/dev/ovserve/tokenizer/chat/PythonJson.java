package dev.ovserve.tokenizer.chat;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys)}, which is what
 * Hugging Face's {@code tojson} filter calls: {@code ", "} and {@code ": "} separators without
 * indent, Python's float spelling, non-ASCII left as is. Jinjava's own {@code tojson} writes
 * compact JSON, which would change the prompt the model sees.
 */
final class PythonJson {
    private PythonJson() {}

    static String dumps(Object value, Integer indent, boolean sortKeys) {
        var out = new StringBuilder();
        write(out, value, indent, sortKeys, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v, Integer indent, boolean sortKeys, int level) {
        switch (v) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Boolean b -> out.append(b ? "true" : "false");
            case Double d -> out.append(pyFloat(d));
            case Float f -> out.append(pyFloat(f));
            case BigDecimal d -> out.append(pyFloat(d.doubleValue()));
            case Number n -> out.append(n instanceof BigInteger || n instanceof Long || n instanceof Integer
                    || n instanceof Short || n instanceof Byte ? n.toString() : pyFloat(n.doubleValue()));
            case Map<?, ?> m -> object(out, m, indent, sortKeys, level);
            case Iterable<?> it -> {
                var items = new ArrayList<Object>();
                it.forEach(items::add);
                array(out, items, indent, sortKeys, level);
            }
            default -> {
                if (v.getClass().isArray()) {
                    var items = new ArrayList<Object>();
                    for (int i = 0; i < Array.getLength(v); i++) {
                        items.add(Array.get(v, i));
                    }
                    array(out, items, indent, sortKeys, level);
                } else {
                    string(out, v.toString());
                }
            }
        }
    }

    private static void array(StringBuilder out, List<Object> items, Integer indent, boolean sortKeys, int level) {
        if (items.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            separator(out, i, indent, level + 1);
            write(out, items.get(i), indent, sortKeys, level + 1);
        }
        close(out, indent, level);
        out.append(']');
    }

    private static void object(StringBuilder out, Map<?, ?> map, Integer indent, boolean sortKeys, int level) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        var entries = new ArrayList<Map.Entry<String, Object>>();
        map.forEach((k, val) -> entries.add(Map.entry(key(k), val == null ? NULL : val)));
        if (sortKeys) {
            entries.sort(Comparator.comparing(Map.Entry::getKey));
        }
        out.append('{');
        for (int i = 0; i < entries.size(); i++) {
            separator(out, i, indent, level + 1);
            string(out, entries.get(i).getKey());
            out.append(": ");
            Object val = entries.get(i).getValue();
            write(out, val == NULL ? null : val, indent, sortKeys, level + 1);
        }
        close(out, indent, level);
        out.append('}');
    }

    private static final Object NULL = new Object();

    /** Python turns non-string keys into strings: True → "true", None → "null", 1 → "1". */
    private static String key(Object k) {
        return switch (k) {
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Double d -> pyFloat(d);
            default -> k.toString();
        };
    }

    private static void separator(StringBuilder out, int index, Integer indent, int level) {
        if (indent == null) {
            if (index > 0) {
                out.append(", ");
            }
            return;
        }
        if (index > 0) {
            out.append(',');
        }
        out.append('\n').append(" ".repeat(indent * level));
    }

    private static void close(StringBuilder out, Integer indent, int level) {
        if (indent != null) {
            out.append('\n').append(" ".repeat(indent * level));
        }
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Python's {@code repr(float)}: shortest digits, positional for exponents -4..15, else {@code 1e-05}. */
    static String pyFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        if (exponent < 0) {
            return sign + "0." + "0".repeat(-exponent - 1) + digits;
        }
        if (digits.length() <= exponent + 1) {
            return sign + digits + "0".repeat(exponent + 1 - digits.length()) + ".0";
        }
        return sign + digits.substring(0, exponent + 1) + "." + digits.substring(exponent + 1);
    }
}

package dev.ovserve.constraint;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random JSON schemas over the supported keywords (as JSON text). */
final class RandomSchemas {
    private static final String[] NAMES = {"id", "name", "tags", "a b", "ключ", "x\\\"y", "value", "n", "nested", "日付"};
    private static final String[] PATTERNS = {"^[a-z]+$", "^\\\\d{3}-\\\\d{4}$", "ab|cd", "^(?:x|y)*z$", "[A-Z]", "^é{1,3}\\\\.$"};
    private static final String[] FORMATS = {"date", "time", "date-time", "email", "uuid", "ipv4", "hostname", "uri", "uri-reference"};

    private RandomSchemas() {}

    static String schema(SplittableRandom r) {
        if (r.nextInt(6) == 0) {
            return "{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"v\":" + node(r, 1)
                    + ",\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"},\"maxItems\":2}},\"required\":[\"v\"]}},"
                    + "\"$ref\":\"#/$defs/node\"}";
        }
        return node(r, 3);
    }

    static String node(SplittableRandom r, int depth) {
        int kind = depth <= 0 ? 2 + r.nextInt(6) : r.nextInt(9);
        return switch (kind) {
            case 0 -> object(r, depth);
            case 1 -> "{\"type\":\"array\",\"items\":" + node(r, depth - 1) + bounds(r, "minItems", "maxItems", 3) + "}";
            case 2 -> string(r);
            case 3 -> "{\"type\":\"integer\"" + numberBounds(r) + "}";
            case 4 -> "{\"type\":\"number\"" + numberBounds(r) + "}";
            case 5 -> r.nextBoolean() ? "{\"type\":\"boolean\"}" : "{\"type\":\"null\"}";
            case 6 -> "{\"enum\":[\"red\",\"green\",42,null,{\"k\":[1,2]}]}";
            case 7 -> "{\"type\":[\"string\",\"null\"],\"maxLength\":5}";
            default -> "{\"anyOf\":[" + node(r, depth - 1) + "," + node(r, depth - 1) + "]}";
        };
    }

    private static String object(SplittableRandom r, int depth) {
        int n = r.nextInt(5);
        List<String> props = new ArrayList<>();
        List<String> required = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of(NAMES));
        for (int i = 0; i < n; i++) {
            String name = names.remove(r.nextInt(names.size()));
            props.add("\"" + name + "\":" + node(r, depth - 1));
            if (r.nextBoolean()) {
                required.add("\"" + name + "\"");
            }
        }
        String additional = switch (r.nextInt(4)) {
            case 0 -> "";
            case 1 -> ",\"additionalProperties\":false";
            case 2 -> ",\"additionalProperties\":true";
            default -> ",\"additionalProperties\":{\"type\":\"integer\"}";
        };
        return "{\"type\":\"object\",\"properties\":{" + String.join(",", props) + "},\"required\":[" + String.join(",", required) + "]"
                + additional + "}";
    }

    private static String string(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> "{\"type\":\"string\"}";
            case 1 -> "{\"type\":\"string\"" + bounds(r, "minLength", "maxLength", 6) + "}";
            case 2 -> "{\"type\":\"string\",\"pattern\":\"" + PATTERNS[r.nextInt(PATTERNS.length)] + "\"}";
            case 3 -> "{\"type\":\"string\",\"format\":\"" + FORMATS[r.nextInt(FORMATS.length)] + "\"}";
            default -> "{\"type\":\"string\",\"enum\":[\"a\",\"b c\",\"\\\"q\\\"\",\"é\"]}";
        };
    }

    private static String bounds(SplittableRandom r, String minKey, String maxKey, int limit) {
        int min = r.nextInt(limit);
        StringBuilder sb = new StringBuilder();
        if (r.nextBoolean()) {
            sb.append(",\"").append(minKey).append("\":").append(min);
        }
        if (r.nextBoolean()) {
            sb.append(",\"").append(maxKey).append("\":").append(min + r.nextInt(limit));
        }
        return sb.toString();
    }

    private static String numberBounds(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int lo = r.nextInt(301) - 150;
        if (r.nextBoolean()) {
            sb.append(r.nextBoolean() ? ",\"minimum\":" : ",\"exclusiveMinimum\":").append(lo);
        }
        if (r.nextBoolean()) {
            sb.append(r.nextBoolean() ? ",\"maximum\":" : ",\"exclusiveMaximum\":").append(lo + r.nextInt(200));
        }
        return sb.toString();
    }
}

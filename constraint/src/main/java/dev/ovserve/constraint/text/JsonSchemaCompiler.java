package dev.ovserve.constraint.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.constraint.InvalidConstraintException;
import dev.ovserve.constraint.UnsupportedConstraintException;
import dev.ovserve.constraint.grammar.CodepointSet;
import dev.ovserve.constraint.grammar.Expr;
import dev.ovserve.constraint.grammar.Grammar;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * JSON Schema to a byte grammar. Output is compact JSON (no whitespace between tokens, like
 * vLLM's strict mode with any-whitespace off); object properties come in the schema's order,
 * optional ones may be left out; an object that declares properties admits no others unless
 * {@code additionalProperties} says so. Every JSON Schema keyword that constrains values is
 * either compiled or refused by name; annotations, and words that are no JSON Schema keyword
 * (which validators ignore too), are ignored.
 */
public final class JsonSchemaCompiler {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Keywords that never constrain a value. */
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "id", "$comment",
            "examples", "example", "default", "deprecated", "readOnly", "writeOnly", "$anchor", "$defs", "definitions",
            "contentMediaType", "contentEncoding", "markdownDescription", "$vocabulary", "$dynamicAnchor");
    private static final Set<String> HANDLED = Set.of("type", "properties", "required", "additionalProperties", "items",
            "prefixItems", "additionalItems", "minItems", "maxItems", "enum", "const", "pattern", "minLength", "maxLength",
            "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "anyOf", "oneOf", "allOf", "$ref",
            "uniqueItems", "multipleOf");
    /** JSON Schema keywords that constrain values and are not compiled: refused by name. */
    private static final Set<String> UNSUPPORTED = Set.of("not", "if", "then", "else", "dependencies", "dependentRequired",
            "dependentSchemas", "patternProperties", "propertyNames", "minProperties", "maxProperties", "contains", "minContains",
            "maxContains", "unevaluatedItems", "unevaluatedProperties", "$dynamicRef", "$recursiveRef", "contentSchema");
    private static final List<String> TYPES = List.of("object", "array", "string", "number", "integer", "boolean", "null");

    /** The formats JSON Schema defines; any other value is a custom annotation, as validators treat it. */
    private static final Set<String> STANDARD_FORMATS = Set.of("date-time", "date", "time", "duration", "email", "idn-email",
            "hostname", "idn-hostname", "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
            "json-pointer", "relative-json-pointer", "regex");
    private static final Map<String, String> FORMATS = Map.of(
            "hostname", Formats.HOSTNAME,
            "uri", Formats.URI,
            "uri-reference", Formats.URI_REFERENCE,
            "date", Formats.DATE,
            "time", Formats.TIME,
            "date-time", Formats.DATE + "T" + Formats.TIME,
            "email", Formats.EMAIL,
            "uuid", Formats.UUID,
            "ipv4", Formats.IPV4);

    private final JsonNode document;
    private final Grammar grammar = new Grammar("root");
    private final Map<String, String> refRules = new HashMap<>();
    private int counter;

    private JsonSchemaCompiler(JsonNode document) {
        this.document = document;
    }

    public static Grammar compile(String schemaJson) {
        JsonNode doc;
        try {
            doc = MAPPER.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new InvalidConstraintException("json_schema", "the JSON schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (doc == null || !(doc.isObject() || doc.isBoolean())) {
            throw new InvalidConstraintException("json_schema", "a JSON schema must be an object or a boolean");
        }
        JsonSchemaCompiler c = new JsonSchemaCompiler(doc);
        c.grammar.define("root", c.schema(doc, 0));
        return c.grammar;
    }

    /** Any JSON object (OpenAI's {@code json_object}). */
    public static Grammar anyObject() {
        JsonSchemaCompiler c = new JsonSchemaCompiler(MAPPER.createObjectNode());
        c.grammar.define("root", Expr.ref(c.anyObjectRule()));
        return c.grammar;
    }

    // ---- schemas ----------------------------------------------------------------------------

    private Expr schema(JsonNode node, int depth) {
        if (depth > 200) {
            throw new UnsupportedConstraintException("$ref", "the schema nests too deeply");
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? Expr.ref(anyValueRule()) : NumberRanges.NOTHING;
        }
        if (!node.isObject()) {
            throw new InvalidConstraintException("json_schema", "a schema must be an object or a boolean, got " + node);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            // Words outside every JSON Schema vocabulary are ignored, as validators ignore them.
            if (UNSUPPORTED.contains(k)) {
                throw new UnsupportedConstraintException(k, "JSON Schema keyword '" + k + "' is not supported");
            }
        }
        if (node.path("uniqueItems").asBoolean(false)) {
            throw new UnsupportedConstraintException("uniqueItems", "JSON Schema keyword 'uniqueItems' is not supported");
        }
        ObjectNode obj = (ObjectNode) node;
        if (obj.has("$ref")) {
            ObjectNode rest = obj.deepCopy();
            rest.remove("$ref");
            if (!hasValidation(rest)) {
                return Expr.ref(refRule(obj.get("$ref").asText(), depth));
            }
            ObjectNode merged = merge(resolve(obj.get("$ref").asText()), rest, depth);
            return schema(merged, depth + 1);
        }
        if (obj.has("allOf")) {
            ObjectNode merged = obj.deepCopy();
            merged.remove("allOf");
            List<JsonNode> members = new ArrayList<>();
            for (JsonNode sub : array(obj, "allOf")) {
                boolean constrains = sub.isObject() ? hasValidation((ObjectNode) sub) : !sub.booleanValue();
                if (constrains) {
                    members.add(sub);
                }
            }
            if (members.size() == 1 && !hasValidation(merged)) {
                return schema(members.getFirst(), depth + 1); // allOf: [{$ref}] with annotations beside it
            }
            for (JsonNode sub : members) {
                merged = merge(merged, sub, depth);
            }
            return schema(merged, depth + 1);
        }
        for (String key : List.of("anyOf", "oneOf")) {
            if (obj.has(key)) {
                ObjectNode rest = obj.deepCopy();
                rest.remove(key);
                List<JsonNode> branches = new ArrayList<>();
                for (JsonNode branch : array(obj, key)) {
                    branches.add(hasValidation(rest) ? merge(rest.deepCopy(), branch, depth) : branch);
                }
                if (key.equals("oneOf")) {
                    requireExclusive(branches);
                }
                List<Expr> alts = new ArrayList<>();
                for (JsonNode b : branches) {
                    alts.add(Expr.ref(rule(schema(b, depth + 1))));
                }
                return Expr.alt(alts);
            }
        }
        if (obj.has("const")) {
            return literalValues(List.of(obj.get("const")), obj);
        }
        if (obj.has("enum")) {
            List<JsonNode> values = new ArrayList<>();
            array(obj, "enum").forEach(values::add);
            return literalValues(values, obj);
        }
        List<Expr> alts = new ArrayList<>();
        for (String type : types(obj)) {
            alts.add(switch (type) {
                case "object" -> Expr.ref(objectRule(obj, depth));
                case "array" -> Expr.ref(arrayRule(obj, depth));
                case "string" -> string(obj);
                case "number" -> number(obj, false);
                case "integer" -> number(obj, true);
                case "boolean" -> Expr.alt(Expr.literal("true"), Expr.literal("false"));
                case "null" -> Expr.literal("null");
                default -> throw new InvalidConstraintException("json_schema", "unknown type '" + type + "'");
            });
        }
        return Expr.alt(alts);
    }

    /**
     * oneOf is compiled as a union, which is exact only when no value can match two branches. That
     * is accepted when the branches admit disjoint JSON types, or are objects told apart by a
     * required property whose const/enum values differ; anything else is refused.
     */
    private void requireExclusive(List<JsonNode> branches) {
        for (int i = 0; i < branches.size(); i++) {
            for (int j = i + 1; j < branches.size(); j++) {
                JsonNode a = deref(branches.get(i));
                JsonNode b = deref(branches.get(j));
                Set<String> ta = typeSet(a, 0);
                Set<String> tb = typeSet(b, 0);
                boolean typesOverlap = ta.stream().anyMatch(tb::contains);
                if (typesOverlap && !(ta.equals(Set.of("object")) && tb.equals(Set.of("object")) && discriminated(a, b))) {
                    throw new UnsupportedConstraintException("oneOf",
                            "oneOf whose branches may match the same value is not supported (branches must differ in type or by a required const/enum property)");
                }
            }
        }
    }

    private JsonNode deref(JsonNode n) {
        for (int i = 0; i < 50 && n.isObject() && n.has("$ref") && n.size() == 1; i++) {
            n = resolve(n.get("$ref").asText());
        }
        return n;
    }

    private Set<String> typeSet(JsonNode n, int depth) {
        n = deref(n);
        if (depth > 20 || !n.isObject()) {
            return new java.util.HashSet<>(TYPES);
        }
        ObjectNode o = (ObjectNode) n;
        Set<String> out = new java.util.HashSet<>();
        if (o.has("const") || o.has("enum")) {
            List<JsonNode> vals = new ArrayList<>();
            if (o.has("const")) {
                vals.add(o.get("const"));
            } else {
                o.get("enum").forEach(vals::add);
            }
            for (JsonNode v : vals) {
                String t = typeOf(v);
                out.add(t.equals("integer") ? "number" : t);
            }
            return out;
        }
        if (o.has("anyOf") || o.has("oneOf")) {
            for (JsonNode x : o.has("anyOf") ? o.get("anyOf") : o.get("oneOf")) {
                out.addAll(typeSet(x, depth + 1));
            }
            return out;
        }
        for (String t : types(o)) {
            out.add(t.equals("integer") ? "number" : t);
        }
        return out;
    }

    private boolean discriminated(JsonNode a, JsonNode b) {
        for (Iterator<String> it = a.path("properties").fieldNames(); it.hasNext(); ) {
            String p = it.next();
            if (!requires(a, p) || !requires(b, p)) {
                continue;
            }
            Set<JsonNode> va = constants(a.path("properties").get(p));
            Set<JsonNode> vb = constants(b.path("properties").path(p));
            if (va != null && vb != null && va.stream().noneMatch(vb::contains)) {
                return true;
            }
        }
        return false;
    }

    private static boolean requires(JsonNode schema, String p) {
        for (JsonNode r : schema.path("required")) {
            if (r.asText().equals(p)) {
                return true;
            }
        }
        return false;
    }

    private Set<JsonNode> constants(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return null;
        }
        n = deref(n);
        if (n.has("const")) {
            return Set.of(n.get("const"));
        }
        if (n.has("enum")) {
            Set<JsonNode> out = new java.util.HashSet<>();
            n.get("enum").forEach(out::add);
            return out;
        }
        return null;
    }

    private static boolean hasValidation(ObjectNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (HANDLED.contains(k) || UNSUPPORTED.contains(k)) {
                return true;
            }
        }
        return false;
    }

    private List<String> types(ObjectNode obj) {
        JsonNode t = obj.get("type");
        List<String> out = new ArrayList<>();
        if (t == null) {
            if (obj.has("properties") || obj.has("required") || obj.has("additionalProperties")) {
                out.add("object");
            } else if (obj.has("items") || obj.has("prefixItems") || obj.has("minItems") || obj.has("maxItems")) {
                out.add("array");
            } else if (obj.has("pattern") || obj.has("format") || obj.has("minLength") || obj.has("maxLength")) {
                out.add("string");
            } else if (obj.has("minimum") || obj.has("maximum") || obj.has("exclusiveMinimum") || obj.has("exclusiveMaximum")) {
                out.add("number");
            } else {
                out.addAll(List.of("object", "array", "string", "number", "boolean", "null"));
            }
        } else if (t.isTextual()) {
            out.add(t.asText());
        } else if (t.isArray()) {
            t.forEach(x -> out.add(x.asText()));
            if (out.contains("number")) {
                out.remove("integer");
            }
        } else {
            throw new InvalidConstraintException("json_schema", "'type' must be a string or an array");
        }
        for (String s : out) {
            if (!TYPES.contains(s)) {
                throw new InvalidConstraintException("json_schema", "unknown type '" + s + "'");
            }
        }
        return out;
    }

    private Expr literalValues(List<JsonNode> values, ObjectNode obj) {
        List<String> allowedTypes = obj.has("type") ? types(obj) : null;
        List<Expr> alts = new ArrayList<>();
        for (JsonNode v : values) {
            if (allowedTypes != null && !allowedTypes.contains(typeOf(v)) && !(typeOf(v).equals("integer") && allowedTypes.contains("number"))) {
                continue;
            }
            try {
                alts.add(Expr.literal(MAPPER.writeValueAsString(v)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return alts.isEmpty() ? NumberRanges.NOTHING : Expr.alt(alts);
    }

    private static String typeOf(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isIntegralNumber() || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0)) {
            return "integer";
        }
        if (v.isNumber()) {
            return "number";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        return "null";
    }

    // ---- objects and arrays -----------------------------------------------------------------

    private String objectRule(ObjectNode obj, int depth) {
        Map<String, JsonNode> props = new LinkedHashMap<>();
        obj.path("properties").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue()));
        Set<String> required = new LinkedHashSet<>();
        obj.path("required").forEach(r -> required.add(r.asText()));
        JsonNode additional = obj.get("additionalProperties");
        boolean extra = additional == null ? props.isEmpty() && required.isEmpty() : !(additional.isBoolean() && !additional.booleanValue());
        JsonNode extraSchema = additional == null || additional.isBoolean() ? BooleanTrue.NODE : additional;
        boolean closed = additional != null && additional.isBoolean() && !additional.booleanValue();
        for (String r : required) {
            // a required name nothing declares: what additionalProperties allows (false: nothing)
            props.putIfAbsent(r, closed ? com.fasterxml.jackson.databind.node.BooleanNode.FALSE : extra ? extraSchema : BooleanTrue.NODE);
        }
        props.entrySet().removeIf(e -> e.getValue().isBoolean() && !e.getValue().booleanValue() && !required.contains(e.getKey()));
        String name = newName("obj");
        List<String> keys = new ArrayList<>(props.keySet());
        List<Expr> pairs = new ArrayList<>();
        for (String k : keys) {
            pairs.add(Expr.seq(Expr.literal(json(k) + ":"), Expr.ref(rule(schema(props.get(k), depth + 1)))));
        }
        Expr extraPair = extra
                ? Expr.seq(Expr.literal("\""), keyExcluding(keys), Expr.literal(":"), Expr.ref(rule(schema(extraSchema, depth + 1))))
                : null;
        int n = keys.size();
        for (int i = n; i >= 0; i--) {
            for (boolean first : new boolean[] {true, false}) {
                Expr body;
                if (i == n) {
                    if (extraPair == null) {
                        body = Expr.EMPTY;
                    } else {
                        Expr more = Expr.star(Expr.seq(Expr.literal(","), extraPair));
                        body = first ? Expr.opt(Expr.seq(extraPair, more)) : more;
                    }
                } else {
                    Expr take = Expr.seq(first ? Expr.EMPTY : Expr.literal(","), pairs.get(i), Expr.ref(name + "_" + (i + 1) + "n"));
                    body = required.contains(keys.get(i)) ? take : Expr.alt(take, Expr.ref(name + "_" + (i + 1) + (first ? "f" : "n")));
                }
                grammar.define(name + "_" + i + (first ? "f" : "n"), body);
            }
        }
        grammar.define(name, Expr.seq(Expr.literal("{"), Expr.ref(name + "_0f"), Expr.literal("}")));
        return name;
    }

    /** The rest of a key string (after its opening quote, through its closing quote) naming none of {@code names}. */
    private static Expr keyExcluding(List<String> names) {
        Trie root = new Trie();
        for (String n : names) {
            Trie t = root;
            for (int cp : n.codePoints().toArray()) {
                t = t.children.computeIfAbsent(cp, x -> new Trie());
            }
            t.terminal = true;
        }
        return root.excluding();
    }

    private static final class Trie {
        final TreeMap<Integer, Trie> children = new TreeMap<>();
        boolean terminal;

        Expr excluding() {
            Expr quote = Expr.literal("\"");
            List<Expr> alts = new ArrayList<>();
            if (!terminal) {
                alts.add(quote);
            }
            CodepointSet others = CodepointSet.ALL;
            for (int c : children.keySet()) {
                others = others.minus(CodepointSet.of(c));
            }
            alts.add(Expr.seq(JsonText.canonical(others), Expr.star(JsonText.canonical(CodepointSet.ALL)), quote));
            for (Map.Entry<Integer, Trie> e : children.entrySet()) {
                alts.add(Expr.seq(JsonText.canonical(CodepointSet.of(e.getKey())), e.getValue().excluding()));
            }
            return Expr.alt(alts);
        }
    }

    private String arrayRule(ObjectNode obj, int depth) {
        int min = obj.path("minItems").asInt(0);
        int max = obj.has("maxItems") ? obj.get("maxItems").asInt() : -1;
        if (min > RegexParser.MAX_REPEAT || max > RegexParser.MAX_REPEAT) {
            throw new UnsupportedConstraintException(min > RegexParser.MAX_REPEAT ? "minItems" : "maxItems",
                    "array bounds above " + RegexParser.MAX_REPEAT + " are not supported");
        }
        String name = newName("arr");
        JsonNode items = obj.get("items");
        JsonNode prefix = obj.has("prefixItems") ? obj.get("prefixItems") : items != null && items.isArray() ? items : null;
        Expr body;
        if (prefix != null) {
            int k = prefix.size();
            if (k < min || (max >= 0 && k > max)) {
                throw new UnsupportedConstraintException("prefixItems", "tuples whose length differs from minItems/maxItems are not supported");
            }
            List<Expr> parts = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                parts.add(Expr.seq(i == 0 ? Expr.EMPTY : Expr.literal(","), Expr.ref(rule(schema(prefix.get(i), depth + 1)))));
            }
            body = Expr.seq(parts.isEmpty() ? List.of(Expr.EMPTY) : parts);
        } else if (max == 0 || (items != null && items.isBoolean() && !items.booleanValue())) {
            if (min > 0) {
                return ruleNamed(name, NumberRanges.NOTHING);
            }
            body = Expr.EMPTY;
        } else {
            Expr item = Expr.ref(rule(items == null ? Expr.ref(anyValueRule()) : schema(items, depth + 1)));
            Expr rest = new Expr.Repeat(Expr.seq(Expr.literal(","), item), Math.max(min - 1, 0), max < 0 ? -1 : max - 1);
            body = Expr.seq(item, rest);
            if (min == 0) {
                body = Expr.opt(body);
            }
        }
        return ruleNamed(name, Expr.seq(Expr.literal("["), body, Expr.literal("]")));
    }

    // ---- strings and numbers ----------------------------------------------------------------

    private Expr string(ObjectNode obj) {
        Expr quote = Expr.literal("\"");
        if (obj.has("format") && !STANDARD_FORMATS.contains(obj.get("format").asText())) {
            obj = obj.deepCopy();
            obj.remove("format"); // a custom format is an annotation
        }
        boolean lengths = obj.has("minLength") || obj.has("maxLength");
        if (obj.has("pattern") || obj.has("format")) {
            String key = obj.has("pattern") ? "pattern" : "format";
            if (lengths) {
                throw new UnsupportedConstraintException(obj.has("minLength") ? "minLength" : "maxLength",
                        "minLength/maxLength together with " + key + " are not supported");
            }
            if (obj.has("pattern") && obj.has("format")) {
                throw new UnsupportedConstraintException("format", "format together with pattern is not supported");
            }
            if (obj.has("format")) {
                String f = obj.get("format").asText();
                String regex = FORMATS.get(f);
                if (regex == null) {
                    throw new UnsupportedConstraintException("format", "string format '" + f + "' is not supported (supported: " + new TreeMap<>(FORMATS).keySet() + ")");
                }
                return Expr.seq(quote, RegexParser.parse(regex, true, JsonText::canonical, "format"), quote);
            }
            return Expr.seq(quote, RegexParser.parse(obj.get("pattern").asText(), false, JsonText::canonical, "pattern"), quote);
        }
        int min = obj.path("minLength").asInt(0);
        int max = obj.has("maxLength") ? obj.get("maxLength").asInt() : -1;
        if (min > RegexParser.MAX_REPEAT || max > RegexParser.MAX_REPEAT) {
            throw new UnsupportedConstraintException(min > RegexParser.MAX_REPEAT ? "minLength" : "maxLength",
                    "string lengths above " + RegexParser.MAX_REPEAT + " are not supported");
        }
        if (max >= 0 && max < min) {
            return NumberRanges.NOTHING;
        }
        return Expr.seq(quote, new Expr.Repeat(JsonText.anyStringChar(), min, max), quote);
    }

    private Expr number(ObjectNode obj, boolean integer) {
        if (obj.has("multipleOf")) {
            BigDecimal m = decimal(obj, "multipleOf");
            if (m.compareTo(BigDecimal.ONE) != 0) {
                throw new UnsupportedConstraintException("multipleOf", "multipleOf other than 1 is not supported");
            }
            integer = true; // multipleOf 1: the integers
        }
        BigDecimal lo = decimal(obj, "minimum");
        BigDecimal hi = decimal(obj, "maximum");
        boolean loIncl = true;
        boolean hiIncl = true;
        JsonNode exMin = obj.get("exclusiveMinimum");
        JsonNode exMax = obj.get("exclusiveMaximum");
        if (exMin != null) {
            if (exMin.isBoolean()) {
                loIncl = !exMin.booleanValue();
            } else {
                BigDecimal e = decimal(obj, "exclusiveMinimum");
                if (lo == null || e.compareTo(lo) >= 0) {
                    lo = e;
                    loIncl = false;
                }
            }
        }
        if (exMax != null) {
            if (exMax.isBoolean()) {
                hiIncl = !exMax.booleanValue();
            } else {
                BigDecimal e = decimal(obj, "exclusiveMaximum");
                if (hi == null || e.compareTo(hi) <= 0) {
                    hi = e;
                    hiIncl = false;
                }
            }
        }
        if (integer) {
            BigInteger l = lo == null ? null : loIncl ? lo.setScale(0, RoundingMode.CEILING).toBigInteger() : lo.setScale(0, RoundingMode.FLOOR).toBigInteger().add(BigInteger.ONE);
            BigInteger h = hi == null ? null : hiIncl ? hi.setScale(0, RoundingMode.FLOOR).toBigInteger() : hi.setScale(0, RoundingMode.CEILING).toBigInteger().subtract(BigInteger.ONE);
            return NumberRanges.integer(l, h);
        }
        return NumberRanges.number(integral(lo, "minimum"), loIncl, integral(hi, "maximum"), hiIncl);
    }

    private static BigDecimal decimal(ObjectNode obj, String key) {
        JsonNode v = obj.get(key);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw new InvalidConstraintException("json_schema", "'" + key + "' must be a number");
        }
        return v.decimalValue();
    }

    private static BigInteger integral(BigDecimal v, String key) {
        if (v == null) {
            return null;
        }
        try {
            return v.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new UnsupportedConstraintException(key, "non-integer bounds on numbers ('" + key + "': " + v + ") are not supported");
        }
    }

    // ---- shared rules -----------------------------------------------------------------------

    private String anyValueRule() {
        if (!grammar.has("value")) {
            Expr str = Expr.seq(Expr.literal("\""), Expr.star(JsonText.anyStringChar()), Expr.literal("\""));
            grammar.define("string", str);
            grammar.define("value", Expr.alt(Expr.ref("object"), Expr.ref("array"), Expr.ref("string"), NumberRanges.anyNumber(),
                    Expr.literal("true"), Expr.literal("false"), Expr.literal("null")));
            Expr pair = Expr.seq(Expr.ref("string"), Expr.literal(":"), Expr.ref("value"));
            grammar.define("object", Expr.seq(Expr.literal("{"), Expr.opt(Expr.seq(pair, Expr.star(Expr.seq(Expr.literal(","), pair)))), Expr.literal("}")));
            grammar.define("array", Expr.seq(Expr.literal("["),
                    Expr.opt(Expr.seq(Expr.ref("value"), Expr.star(Expr.seq(Expr.literal(","), Expr.ref("value"))))), Expr.literal("]")));
        }
        return "value";
    }

    private String anyObjectRule() {
        anyValueRule();
        return "object";
    }

    private String refRule(String ref, int depth) {
        String name = refRules.get(ref);
        if (name == null) {
            name = newName("ref");
            refRules.put(ref, name);
            grammar.define(name, Expr.EMPTY); // placeholder while the target compiles (recursion)
            grammar.define(name, schema(resolve(ref), depth + 1));
        }
        return name;
    }

    private JsonNode resolve(String ref) {
        if (!ref.startsWith("#")) {
            throw new UnsupportedConstraintException("$ref", "only local references ('#/...') are supported, not '" + ref + "'");
        }
        String pointer = ref.substring(1);
        if (!pointer.isEmpty() && !pointer.startsWith("/")) {
            throw new UnsupportedConstraintException("$ref", "anchor references ('" + ref + "') are not supported");
        }
        String decoded = java.net.URLDecoder.decode(pointer.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        JsonNode target = document.at(decoded);
        if (target.isMissingNode()) {
            throw new InvalidConstraintException("json_schema", "'$ref' points at nothing: " + ref);
        }
        return target;
    }

    /** Folds {@code sub} (an allOf member or a sibling set) into {@code base}; refuses what it cannot fold. */
    private ObjectNode merge(JsonNode base, JsonNode sub, int depth) {
        if (depth > 200) {
            throw new UnsupportedConstraintException("allOf", "the schema nests too deeply");
        }
        if (sub.isBoolean()) {
            if (sub.booleanValue()) {
                return base.isObject() ? (ObjectNode) base.deepCopy() : MAPPER.createObjectNode();
            }
            throw new UnsupportedConstraintException("allOf", "'false' inside allOf is not supported");
        }
        if (base.isBoolean()) {
            base = MAPPER.createObjectNode();
        }
        ObjectNode out = ((ObjectNode) base).deepCopy();
        ObjectNode s = (ObjectNode) sub;
        if (s.has("$ref")) {
            ObjectNode rest = s.deepCopy();
            rest.remove("$ref");
            out = merge(out, resolve(s.get("$ref").asText()), depth + 1);
            return merge(out, rest, depth + 1);
        }
        if (s.has("allOf")) {
            ObjectNode rest = s.deepCopy();
            rest.remove("allOf");
            for (JsonNode x : s.get("allOf")) {
                out = merge(out, x, depth + 1);
            }
            return merge(out, rest, depth + 1);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (ANNOTATIONS.contains(k) || !out.has(k) || out.get(k).equals(v)) {
                if (!ANNOTATIONS.contains(k)) {
                    out.set(k, v.deepCopy());
                }
                continue;
            }
            switch (k) {
                case "properties" -> {
                    ObjectNode props = ((ObjectNode) out.get("properties")).deepCopy();
                    for (Iterator<Map.Entry<String, JsonNode>> p = v.fields(); p.hasNext(); ) {
                        Map.Entry<String, JsonNode> pe = p.next();
                        JsonNode old = props.get(pe.getKey());
                        props.set(pe.getKey(), old == null || old.equals(pe.getValue()) ? pe.getValue() : merge(old, pe.getValue(), depth + 1));
                    }
                    out.set("properties", props);
                }
                case "required" -> {
                    Set<String> all = new LinkedHashSet<>();
                    out.get("required").forEach(x -> all.add(x.asText()));
                    v.forEach(x -> all.add(x.asText()));
                    ArrayNode arr = MAPPER.createArrayNode();
                    all.forEach(arr::add);
                    out.set("required", arr);
                }
                case "type" -> {
                    List<String> a = types(out);
                    List<String> b = types(s);
                    List<String> both = new ArrayList<>();
                    for (String t : a) {
                        if (b.contains(t)) {
                            both.add(t);
                        } else if (t.equals("number") && b.contains("integer")) {
                            both.add("integer");
                        } else if (t.equals("integer") && b.contains("number")) {
                            both.add("integer");
                        }
                    }
                    ArrayNode arr = MAPPER.createArrayNode();
                    both.forEach(arr::add);
                    out.set("type", arr);
                }
                default -> throw new UnsupportedConstraintException("allOf", "allOf with conflicting '" + k + "' is not supported");
            }
        }
        return out;
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static Iterable<JsonNode> array(ObjectNode obj, String key) {
        JsonNode v = obj.get(key);
        if (!v.isArray() || v.isEmpty()) {
            throw new InvalidConstraintException("json_schema", "'" + key + "' must be a non-empty array");
        }
        return v;
    }

    private String rule(Expr body) {
        if (body instanceof Expr.Ref r) {
            return r.rule();
        }
        return ruleNamed(newName("r"), body);
    }

    private String ruleNamed(String name, Expr body) {
        grammar.define(name, body);
        return name;
    }

    private String newName(String prefix) {
        return prefix + (counter++);
    }

    private static String json(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class BooleanTrue {
        static final JsonNode NODE = com.fasterxml.jackson.databind.node.BooleanNode.TRUE;
    }
}

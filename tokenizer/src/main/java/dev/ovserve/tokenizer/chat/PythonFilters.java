package dev.ovserve.tokenizer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import com.hubspot.jinjava.lib.filter.LengthFilter;
import java.util.List;
import java.util.Map;

/** Filters whose Jinjava versions differ from what Hugging Face templates were written against. */
final class PythonFilters {
    private PythonFilters() {}

    static List<AdvancedFilter> all() {
        return List.of(new ToJson(), new Trim(), new Length());
    }

    /** {@code tojson(indent=None, sort_keys=False)} as {@code json.dumps} (see {@link PythonJson}). */
    static final class ToJson implements AdvancedFilter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            Object sortKeys = kwargs.get("sort_keys");
            return PythonJson.dumps(var, indent instanceof Number n ? n.intValue() : null, Boolean.TRUE.equals(sortKeys));
        }
    }

    /** {@code trim(chars=None)} as Python's {@code str.strip}: Unicode whitespace, not just chars ≤ U+0020. */
    static final class Trim implements AdvancedFilter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object chars = kwargs.getOrDefault("chars", args.length > 0 ? args[0] : null);
            return PythonStrings.strip(var == null ? "" : var.toString(), chars == null ? null : chars.toString(), true, true);
        }
    }

    /** {@code length}: Python counts a string's code points, not UTF-16 units. */
    static final class Length implements AdvancedFilter {
        private final LengthFilter collections = new LengthFilter();

        @Override
        public String getName() {
            return "length";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (var instanceof String s) {
                return s.codePointCount(0, s.length());
            }
            return collections.filter(var, interpreter);
        }
    }
}

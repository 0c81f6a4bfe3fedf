package dev.ovserve.tokenizer.chat;

import java.beans.FeatureDescriptor;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Lets templates call Python {@code str} methods ({@code content.startswith('x')},
 * {@code .strip()}, {@code .split()}, ...), which Hugging Face templates do and Jinjava, knowing
 * only Java's String methods, would not resolve or would resolve with Java semantics
 * ({@code split} takes a regex, {@code strip} has no argument). Every other call falls through to
 * the next resolver. It also indexes strings ({@code role[0]}), which Jinjava cannot.
 */
final class PythonStringMethods extends ELResolver {
    private static final Object UNHANDLED = new Object();
    private static final Pattern INDEX = Pattern.compile("-?[0-9]{1,9}");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] p = params == null ? new Object[0] : params;
        Object result = call(s, method.toString(), p);
        if (result == UNHANDLED) {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static Object call(String s, String method, Object[] p) {
        return switch (method) {
            case "startswith" -> p.length == 1 ? anyMatch(p[0], s::startsWith) : UNHANDLED;
            case "endswith" -> p.length == 1 ? anyMatch(p[0], s::endsWith) : UNHANDLED;
            case "strip" -> p.length <= 1 ? PythonStrings.strip(s, optString(p, 0), true, true) : UNHANDLED;
            case "lstrip" -> p.length <= 1 ? PythonStrings.strip(s, optString(p, 0), true, false) : UNHANDLED;
            case "rstrip" -> p.length <= 1 ? PythonStrings.strip(s, optString(p, 0), false, true) : UNHANDLED;
            case "upper" -> p.length == 0 ? s.toUpperCase() : UNHANDLED;
            case "lower" -> p.length == 0 ? s.toLowerCase() : UNHANDLED;
            case "title" -> p.length == 0 ? PythonStrings.title(s) : UNHANDLED;
            case "capitalize" -> p.length == 0 ? PythonStrings.capitalize(s) : UNHANDLED;
            case "split" -> p.length <= 2
                    ? PythonStrings.split(s, optString(p, 0), p.length == 2 ? ((Number) p[1]).intValue() : -1)
                    : UNHANDLED;
            case "replace" -> p.length == 2 ? s.replace(String.valueOf(p[0]), String.valueOf(p[1])) : UNHANDLED;
            case "find" -> p.length == 1 ? codePointIndex(s, s.indexOf(String.valueOf(p[0]))) : UNHANDLED;
            case "count" -> p.length == 1 ? (long) PythonStrings.count(s, String.valueOf(p[0])) : UNHANDLED;
            default -> UNHANDLED;
        };
    }

    private static long codePointIndex(String s, int charIndex) {
        return charIndex < 0 ? -1 : s.codePointCount(0, charIndex);
    }

    private static String optString(Object[] p, int i) {
        return i < p.length && p[i] != null ? String.valueOf(p[i]) : null;
    }

    /** Python accepts a tuple of prefixes/suffixes; a Jinja tuple or list arrives as a List. */
    private static boolean anyMatch(Object arg, java.util.function.Predicate<String> test) {
        if (arg instanceof List<?> options) {
            return options.stream().anyMatch(o -> test.test(String.valueOf(o)));
        }
        return test.test(String.valueOf(arg));
    }

    /** {@code s[i]}: Python indexes a string by code point, negative from the end. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        // Jinjava hands the index over as its decimal string.
        if (!(base instanceof String s) || property == null || !INDEX.matcher(property.toString()).matches()) {
            return null;
        }
        context.setPropertyResolved(true);
        int length = s.codePointCount(0, s.length());
        long index = Long.parseLong(property.toString());
        long i = index < 0 ? index + length : index;
        if (i < 0 || i >= length) {
            return null;
        }
        int from = s.offsetByCodePoints(0, (int) i);
        return s.substring(from, s.offsetByCodePoints(from, 1));
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}

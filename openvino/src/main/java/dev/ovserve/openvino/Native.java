package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.function.Supplier;

/**
 * The shared FFM plumbing: downcall handles, status checks and C strings. Package-private on
 * purpose; other native helpers in this package (e.g. the PagedAttention helper) reuse it.
 */
final class Native {
    static final Linker LINKER = Linker.nativeLinker();

    private Native() {}

    /** A downcall handle for {@code name} in {@code lookup}; fails clearly if the symbol is missing. */
    static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new IllegalStateException(
                "Native symbol " + name + " not found; is the library the pinned release?"));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** Reads an exported {@code const char*} variable (e.g. {@code ov_property_key_cache_dir}). */
    static String readStringVariable(SymbolLookup lookup, String name) {
        MemorySegment variable = lookup.find(name).orElseThrow(() -> new IllegalStateException(
                "Native variable " + name + " not found; is the library the pinned release?"));
        return string(variable.reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0));
    }

    /** Throws {@link OpenVinoException} for a non-OK OpenVINO status, with the runtime's last error text. */
    static void check(int status, String function) {
        if (status != 0) {
            throw failure(status, function);
        }
    }

    /** As {@link #check(int, String)} for another library returning ov_status_e codes with its own error text. */
    static void check(int status, String function, Supplier<String> lastError) {
        if (status != 0) {
            throw new OpenVinoException(Status.of(status), function, lastError.get());
        }
    }

    static OpenVinoException failure(int code, String function) {
        Status status = Status.of(code);
        String message = status.hasRuntimeMessage() ? CApi.lastErrorMessage() : null;
        if (message == null || message.isBlank()) {
            message = CApi.errorInfo(code);
        }
        return new OpenVinoException(status, function, message);
    }

    /** Rethrows what {@code invokeExact} threw: unchecked as is, anything else wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** A NUL-terminated UTF-8 copy of {@code s} in {@code arena}; NULL for null. */
    static MemorySegment cString(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }

    /** The Java string at a {@code char*}; null for NULL. Does not free. */
    static String string(MemorySegment chars) {
        return chars.equals(MemorySegment.NULL) ? null : chars.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** The Java string at a runtime-allocated {@code char*}, which is then released with ov_free. */
    static String takeString(MemorySegment chars) {
        try {
            return string(chars);
        } finally {
            CApi.ov_free(chars);
        }
    }
}

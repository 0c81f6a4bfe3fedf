package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Model operations the C API lacks, from the native helper built out of
 * {@code src/main/cpp/ovserve_helper.cpp}: found at system property {@code ovserve.helper.lib},
 * else {@code <ovserve.home>/native/libovserve_helper.so} (see {@link NativeLibs#homeDir()}).
 */
public final class PagedAttentionHelper {
    public static final String LIBRARY_PROPERTY = "ovserve.helper.lib";

    private static final class Handles {
        static final SymbolLookup LIB = NativeLibs.load(locate());
        static final MethodHandle LAST_ERROR = Native.downcall(LIB, "ovs_last_error", FunctionDescriptor.of(ADDRESS));
        static final MethodHandle FREE = Native.downcall(LIB, "ovs_free", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle TO_PAGED = Native.downcall(LIB, "ovs_sdpa_to_paged_attention",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle GATHER_LOGITS = Native.downcall(LIB, "ovs_gather_before_logits",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle LAYER_PRECISIONS = Native.downcall(LIB, "ovs_layer_precisions",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle HISTOGRAM = Native.downcall(LIB, "ovs_op_histogram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    private PagedAttentionHelper() {}

    /**
     * Applies OpenVINO's SDPAToPagedAttention to {@code model} in place: every attention fed by
     * ReadValue/Assign state becomes a PagedAttentionExtension reading block-table KV caches.
     */
    public static void sdpaToPagedAttention(Model model) {
        try {
            check((int) Handles.TO_PAGED.invokeExact(model.handle()), "ovs_sdpa_to_paged_attention");
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Adds an i64 {@code sampled_tokens_indices} input selecting which packed token rows reach the
     * LM head, so logits are computed only for positions that will be sampled.
     */
    public static void gatherBeforeLogits(Model model) {
        try {
            check((int) Handles.GATHER_LOGITS.invokeExact(model.handle()), "ovs_gather_before_logits");
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** How many ops of each type the model holds, by type name (e.g. "PagedAttentionExtension"). */
    public static Map<String, Integer> opCounts(Model model) {
        return counts(model, Handles.HISTOGRAM, "ovs_op_histogram");
    }

    /**
     * For a compiled model's runtime graph ({@link CompiledModel#runtimeModel()}): how many
     * layers run at each precision, keyed "layerType/precision", e.g. "FullyConnected/u8".
     */
    public static Map<String, Integer> layerPrecisions(Model runtimeModel) {
        return counts(runtimeModel, Handles.LAYER_PRECISIONS, "ovs_layer_precisions");
    }

    private static Map<String, Integer> counts(Model model, MethodHandle call, String function) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) call.invokeExact(model.handle(), out), function);
            MemorySegment text = out.get(ADDRESS, 0);
            try {
                Map<String, Integer> counts = new TreeMap<>();
                for (String line : Native.string(text).split("\n")) {
                    int eq = line.lastIndexOf('=');
                    if (eq > 0) {
                        counts.put(line.substring(0, eq), Integer.parseInt(line.substring(eq + 1)));
                    }
                }
                return counts;
            } finally {
                Handles.FREE.invokeExact(text);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void check(int status, String function) {
        if (status != 0) {
            String message;
            try {
                message = Native.string((MemorySegment) Handles.LAST_ERROR.invokeExact());
            } catch (Throwable t) {
                message = "(no message: " + t + ")";
            }
            throw new OpenVinoException(Status.GENERAL_ERROR, function, message);
        }
    }

    static Path locate() {
        String explicit = System.getProperty(LIBRARY_PROPERTY);
        Path lib = explicit != null && !explicit.isBlank()
                ? Path.of(explicit)
                : NativeLibs.homeDir().resolve("native/libovserve_helper.so");
        if (!Files.isRegularFile(lib)) {
            throw new IllegalStateException("ovserve native helper not found at " + lib
                    + "; build the project (./mvnw package, or scripts/test.sh) to compile it");
        }
        return lib;
    }
}

package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ov_core_t}: reads models, compiles them for a device, and holds device properties. */
public final class Core extends NativeHandle {

    public Core() {
        super(create());
    }

    private static MemorySegment create() {
        NativeLibs.openVinoC(); // surfaces the setup advice before any downcall is bound
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_core_create(out);
            return out.get(ADDRESS, 0);
        }
    }

    /** The runtime's build number, e.g. {@code 2026.4.1-...}. */
    public static String version() {
        NativeLibs.openVinoC();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(CApi.VERSION);
            CApi.ov_get_openvino_version(v);
            try {
                return Native.string(v.get(ADDRESS, 0));
            } finally {
                CApi.ov_version_free(v);
            }
        }
    }

    public List<String> availableDevices() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment devices = arena.allocate(CApi.AVAILABLE_DEVICES);
            CApi.ov_core_get_available_devices(handle(), devices);
            try {
                long n = devices.get(JAVA_LONG, ADDRESS.byteSize());
                MemorySegment array = devices.get(ADDRESS, 0).reinterpret(n * ADDRESS.byteSize());
                List<String> names = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    names.add(Native.string(array.getAtIndex(ADDRESS, i)));
                }
                return List.copyOf(names);
            } finally {
                CApi.ov_available_devices_free(devices);
            }
        }
    }

    /** Reads an IR (.xml with the .bin beside it), ONNX, or any other format a frontend accepts. */
    public Model readModel(Path model) {
        return readModel(model, null);
    }

    /** As {@link #readModel(Path)} with an explicit weights file (IR .bin); {@code weights} may be null. */
    public Model readModel(Path model, Path weights) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_core_read_model(handle(), Native.cString(arena, model.toString()),
                    weights == null ? MemorySegment.NULL : Native.cString(arena, weights.toString()), out);
            return new Model(out.get(ADDRESS, 0));
        }
    }

    public CompiledModel compileModel(Model model, String device) {
        return compileModel(model, device, Map.of());
    }

    /** Compiles for {@code device} (e.g. {@code CPU}, {@code AUTO:GPU,CPU}) with per-compile properties. */
    public CompiledModel compileModel(Model model, String device, Map<String, String> properties) {
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> keyValues = new ArrayList<>(2 * properties.size());
            for (Map.Entry<String, String> e : properties.entrySet()) {
                checkStringProperty(e.getKey());
                keyValues.add(Native.cString(arena, e.getKey()));
                keyValues.add(Native.cString(arena, e.getValue()));
            }
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_core_compile_model(handle(), model.handle(), Native.cString(arena, device), out, keyValues);
            return new CompiledModel(out.get(ADDRESS, 0));
        }
    }

    /** Sets a device property for later compiles; {@code device} null means all devices. */
    public void setProperty(String device, String key, String value) {
        checkStringProperty(key);
        try (Arena arena = Arena.ofConfined()) {
            CApi.ov_core_set_property(handle(), Native.cString(arena, device),
                    Native.cString(arena, key), Native.cString(arena, value));
        }
    }

    /** Sets several properties, one call each (the C call reads one pair only). */
    public void setProperties(String device, Map<String, String> properties) {
        new LinkedHashMap<>(properties).forEach((k, v) -> setProperty(device, k, v));
    }

    /** A device property rendered as a string, e.g. {@code getProperty("CPU", "FULL_DEVICE_NAME")}. */
    public String getProperty(String device, String key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_core_get_property(handle(), Native.cString(arena, device), Native.cString(arena, key), out);
            return Native.takeString(out.get(ADDRESS, 0));
        }
    }

    /**
     * The variadic calls read the value after this key as a pointer to an
     * ov_encryption_callbacks struct, so a string there would crash the process.
     */
    static void checkStringProperty(String key) {
        if (PropertyKeys.CACHE_ENCRYPTION_CALLBACKS.equals(key)) {
            throw new IllegalArgumentException(key + " takes callbacks, not a string value");
        }
    }

    /** Frees the core. Note: the runtime also clears its last error message here. */
    @Override
    void free(MemorySegment handle) {
        CApi.ov_core_free(handle);
    }
}

package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ov_compiled_model_t}: a model compiled for a device. Infer requests keep the compiled
 * model's internals alive on their own, so it may be closed before them.
 */
public final class CompiledModel extends NativeHandle {

    CompiledModel(MemorySegment handle) {
        super(handle);
    }

    public List<Port> inputs() {
        return Ports.list(handle(), CApi::ov_compiled_model_inputs_size, CApi::ov_compiled_model_input_by_index);
    }

    public List<Port> outputs() {
        return Ports.list(handle(), CApi::ov_compiled_model_outputs_size, CApi::ov_compiled_model_output_by_index);
    }

    public Port input(String name) {
        return Model.find(inputs(), name);
    }

    public Port output(String name) {
        return Model.find(outputs(), name);
    }

    /** A property of this compiled model rendered as a string (e.g. {@code PERFORMANCE_HINT}). */
    public String property(String key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_compiled_model_get_property(handle(), Native.cString(arena, key), out);
            return Native.takeString(out.get(ADDRESS, 0));
        }
    }

    /** Sets one runtime-mutable property. */
    public void setProperty(String key, String value) {
        Core.checkStringProperty(key);
        try (Arena arena = Arena.ofConfined()) {
            CApi.ov_compiled_model_set_property(handle(), Native.cString(arena, key), Native.cString(arena, value));
        }
    }

    /** The devices actually running the model (e.g. {@code [CPU]}, or what AUTO picked). */
    public List<String> executionDevices() {
        // A string vector is rendered space-separated.
        return Arrays.stream(property(PropertyKeys.EXECUTION_DEVICES).split("[\\s,]+"))
                .filter(s -> !s.isEmpty()).toList();
    }

    public int optimalNumberOfInferRequests() {
        return Integer.parseInt(property(PropertyKeys.OPTIMAL_NUMBER_OF_INFER_REQUESTS).strip());
    }

    public InferRequest createInferRequest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_compiled_model_create_infer_request(handle(), out);
            return new InferRequest(out.get(ADDRESS, 0));
        }
    }

    /** The graph as the device executes it (after plugin transformations); close it when done. */
    public Model runtimeModel() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_compiled_model_get_runtime_model(handle(), out);
            return new Model(out.get(ADDRESS, 0));
        }
    }

    @Override
    void free(MemorySegment handle) {
        CApi.ov_compiled_model_free(handle);
    }
}

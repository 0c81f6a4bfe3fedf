package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/** {@code ov_model_t}: a model graph as read from disk, before or after reshaping. */
public final class Model extends NativeHandle {

    Model(MemorySegment handle) {
        super(handle);
    }

    public List<Port> inputs() {
        return Ports.list(handle(), CApi::ov_model_inputs_size, CApi::ov_model_const_input_by_index);
    }

    public List<Port> outputs() {
        return Ports.list(handle(), CApi::ov_model_outputs_size, CApi::ov_model_const_output_by_index);
    }

    public Port input(String name) {
        return find(inputs(), name);
    }

    public Port output(String name) {
        return find(outputs(), name);
    }

    static Port find(List<Port> ports, String name) {
        return ports.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No port named " + name + " in " + ports));
    }

    public boolean isDynamic() {
        return CApi.ov_model_is_dynamic(handle());
    }

    public String friendlyName() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_model_get_friendly_name(handle(), out);
            return Native.takeString(out.get(ADDRESS, 0));
        }
    }

    /** Reshapes inputs by tensor name, in place; shape inference runs through the whole graph. */
    public void reshape(Map<String, PartialShape> shapes) {
        if (shapes.isEmpty()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            int n = shapes.size();
            MemorySegment names = arena.allocate(ADDRESS, n);
            MemorySegment partialShapes = arena.allocate(CApi.PARTIAL_SHAPE, n);
            int i = 0;
            for (Map.Entry<String, PartialShape> e : shapes.entrySet()) {
                names.setAtIndex(ADDRESS, i, Native.cString(arena, e.getKey()));
                Ports.toNative(arena, e.getValue(), partialShapes.asSlice(i * CApi.PARTIAL_SHAPE.byteSize(), CApi.PARTIAL_SHAPE));
                i++;
            }
            CApi.ov_model_reshape(handle(), names, partialShapes, n);
        }
    }

    public void reshape(String inputName, PartialShape shape) {
        reshape(Map.of(inputName, shape));
    }

    @Override
    void free(MemorySegment handle) {
        CApi.ov_model_free(handle);
    }

    @Override
    public String toString() {
        return isClosed() ? "Model[closed]" : "Model[" + friendlyName() + " " + inputs() + " -> " + outputs() + "]";
    }
}

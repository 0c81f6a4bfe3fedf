package dev.ovserve.openvino;

/**
 * A model or compiled-model input/output: its index, a tensor name (OpenVINO's "any name";
 * empty when the tensor has none), element type and partial shape.
 */
public record Port(int index, String name, ElementType elementType, PartialShape shape) {
    @Override
    public String toString() {
        return name + ":" + elementType + shape;
    }
}

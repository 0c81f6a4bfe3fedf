package dev.ovserve.models.paged;

import dev.ovserve.openvino.ElementType;
import dev.ovserve.openvino.Port;
import java.util.List;

/**
 * The model's attention shape as its compiled paged form declares it: one {@code key_cache.N} and
 * {@code value_cache.N} per layer of {@code [blocks, kv heads, block tokens, head size]}. Nothing
 * here comes from config.json, so any family's IR describes itself.
 *
 * @param headSize null when the cache is quantized in a layout that hides it (scales packed in)
 */
public record KvLayout(int layers, int kvHeads, Integer headSize, ElementType keyType, ElementType valueType) {

    static KvLayout of(List<Port> cacheInputs) {
        Port key = find(cacheInputs, "key_cache.0");
        Port value = find(cacheInputs, "value_cache.0");
        int layers = (int) cacheInputs.stream().filter(p -> p.name().startsWith("key_cache.")).count();
        int kvHeads = (int) value.shape().dimension(1).length();
        return new KvLayout(layers, kvHeads, headSize(key, value), key.elementType(), value.elementType());
    }

    /**
     * Float caches hold the head size in the last dimension. The CPU plugin's u8 values append
     * per-token scale and zero point to it, but its u8 keys are quantized per channel (scales in
     * extra rows of dimension 2), so their last dimension is still the head size.
     */
    private static Integer headSize(Port key, Port value) {
        if (isFloat(value.elementType())) {
            return (int) value.shape().dimension(3).length();
        }
        if (isFloat(key.elementType()) || key.shape().dimension(2).length() != value.shape().dimension(2).length()) {
            return (int) key.shape().dimension(3).length();
        }
        return null;
    }

    private static boolean isFloat(ElementType t) {
        return t == ElementType.F32 || t == ElementType.F16 || t == ElementType.BF16;
    }

    private static Port find(List<Port> ports, String name) {
        return ports.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the paged model has no " + name + " input: " + ports));
    }

    @Override
    public String toString() {
        return layers + " layers, " + kvHeads + " KV heads of " + (headSize == null ? "?" : headSize) + ", cache "
                + keyType + "/" + valueType;
    }
}

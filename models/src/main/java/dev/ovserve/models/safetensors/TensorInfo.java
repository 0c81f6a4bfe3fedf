package dev.ovserve.models.safetensors;

import java.util.Arrays;
import java.util.Objects;

/**
 * One header entry of a safetensors file. {@code begin} and {@code end} are byte offsets relative
 * to the start of the data section (as in the header); {@code dataStart} is where that section
 * begins in the file, so absolute file offsets are {@code dataStart + begin}.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end, long dataStart) {
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public TensorSpec spec() {
        return new TensorSpec(name, dtype, shape);
    }

    public long elementCount() {
        return TensorSpec.elementCount(name, shape);
    }

    public long byteSize() {
        return end - begin;
    }

    public long fileOffset() {
        return dataStart + begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end && dataStart == t.dataStart;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end, dataStart);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}

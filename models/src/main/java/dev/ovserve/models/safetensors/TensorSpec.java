package dev.ovserve.models.safetensors;

import java.util.Arrays;
import java.util.Objects;

/** Name, element type and shape of one tensor: what a writer must know before any data is written. */
public record TensorSpec(String name, DType dtype, long[] shape) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has negative dimension in " + Arrays.toString(shape));
            }
        }
        elementCount(name, shape); // fail early on overflow
    }

    public static TensorSpec of(String name, DType dtype, long... shape) {
        return new TensorSpec(name, dtype, shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return elementCount(name, shape);
    }

    public long byteSize() {
        return Math.multiplyExact(elementCount(), (long) dtype.byteSize());
    }

    static long elementCount(String name, long[] shape) {
        long n = 1;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new SafetensorsException("tensor '" + name + "' shape " + Arrays.toString(shape) + " overflows");
        }
        return n;
    }

    // Records compare arrays by identity; shapes must compare by value.
    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && name.equals(s.name) && dtype == s.dtype && Arrays.equals(shape, s.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}

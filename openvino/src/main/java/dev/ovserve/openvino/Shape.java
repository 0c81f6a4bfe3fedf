package dev.ovserve.openvino;

import java.util.Arrays;

/** A static shape. Immutable: the dims array is copied in and out. */
public record Shape(long[] dims) {
    public Shape {
        dims = dims.clone();
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("Negative dimension in " + Arrays.toString(dims));
            }
        }
    }

    public static Shape of(long... dims) {
        return new Shape(dims);
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int i) {
        return dims[i];
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public PartialShape toPartialShape() {
        return PartialShape.of(dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims).replace(" ", "");
    }
}

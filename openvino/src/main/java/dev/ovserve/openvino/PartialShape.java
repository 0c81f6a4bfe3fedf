package dev.ovserve.openvino;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A shape that may have dynamic dimensions, or a dynamic rank ({@code dimensions == null}).
 * Prints as {@code [?,4]}, {@code [1..8,4]} or {@code [...]} for a dynamic rank.
 */
public record PartialShape(List<Dimension> dimensions) {
    public PartialShape {
        dimensions = dimensions == null ? null : List.copyOf(dimensions);
    }

    /** Static or dynamic (-1) lengths. */
    public static PartialShape of(long... dims) {
        return new PartialShape(Arrays.stream(dims).mapToObj(Dimension::of).toList());
    }

    public static PartialShape of(Dimension... dims) {
        return new PartialShape(List.of(dims));
    }

    public static PartialShape dynamicRank() {
        return new PartialShape(null);
    }

    public boolean isRankDynamic() {
        return dimensions == null;
    }

    /** The rank, or -1 when dynamic. */
    public int rank() {
        return dimensions == null ? -1 : dimensions.size();
    }

    public Dimension dimension(int i) {
        return dimensions.get(i);
    }

    /** Lengths with -1 for dynamic dimensions; null for a dynamic rank. */
    public long[] dims() {
        return dimensions == null ? null : dimensions.stream().mapToLong(Dimension::length).toArray();
    }

    public boolean isDynamic() {
        return dimensions == null || dimensions.stream().anyMatch(d -> !d.isStatic());
    }

    public Shape toShape() {
        if (isDynamic()) {
            throw new IllegalStateException("Shape " + this + " is dynamic");
        }
        return new Shape(dims());
    }

    @Override
    public String toString() {
        return dimensions == null ? "[...]"
                : dimensions.stream().map(Dimension::toString).collect(Collectors.joining(",", "[", "]"));
    }
}

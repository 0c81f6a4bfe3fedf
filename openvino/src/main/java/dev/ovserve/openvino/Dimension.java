package dev.ovserve.openvino;

/**
 * One dimension of a {@link PartialShape}: the interval [min, max] of {@code ov_dimension_t}, where
 * max == -1 means unbounded. A fully dynamic dimension is [0, -1].
 */
public record Dimension(long min, long max) {
    public static final Dimension DYNAMIC = new Dimension(0, -1);

    public Dimension {
        if (min < 0 || max < -1 || (max != -1 && max < min)) {
            throw new IllegalArgumentException("Invalid dimension [" + min + ", " + max + "]");
        }
    }

    public static Dimension of(long length) {
        return length < 0 ? DYNAMIC : new Dimension(length, length);
    }

    public static Dimension bounded(long min, long max) {
        return new Dimension(min, max);
    }

    public boolean isStatic() {
        return min == max;
    }

    /** The length if static, else -1. */
    public long length() {
        return isStatic() ? min : -1;
    }

    /** {@code 4}, {@code ?}, {@code 1..8} or {@code 2..?}, like OpenVINO prints them. */
    @Override
    public String toString() {
        if (isStatic()) {
            return Long.toString(min);
        }
        if (min == 0 && max == -1) {
            return "?";
        }
        return min + ".." + (max == -1 ? "?" : Long.toString(max));
    }
}

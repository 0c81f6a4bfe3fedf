package dev.ovserve.constraint;

/** The constraint uses a feature the engine does not implement; {@link #keyword()} names it. */
public final class UnsupportedConstraintException extends IllegalArgumentException {
    private final String keyword;

    public UnsupportedConstraintException(String keyword, String message) {
        super(message);
        this.keyword = keyword;
    }

    /** The schema keyword, regex or grammar feature that is not supported, e.g. {@code uniqueItems}. */
    public String keyword() {
        return keyword;
    }
}

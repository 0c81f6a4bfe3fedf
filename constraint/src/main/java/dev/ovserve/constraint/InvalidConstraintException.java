package dev.ovserve.constraint;

/** The constraint text is malformed or matches no output; {@link #param()} names what is wrong. */
public final class InvalidConstraintException extends IllegalArgumentException {
    private final String param;

    public InvalidConstraintException(String param, String message) {
        super(message);
        this.param = param;
    }

    /** The constraint kind or keyword at fault, e.g. {@code json_schema} or {@code regex}. */
    public String param() {
        return param;
    }
}

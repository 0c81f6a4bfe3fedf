package dev.ovserve.openvino;

/** The C API's {@code ov_status_e}, with the values of the pinned release. */
public enum Status {
    OK(0),
    GENERAL_ERROR(-1),
    NOT_IMPLEMENTED(-2),
    NETWORK_NOT_LOADED(-3),
    PARAMETER_MISMATCH(-4),
    NOT_FOUND(-5),
    OUT_OF_BOUNDS(-6),
    UNEXPECTED(-7),
    REQUEST_BUSY(-8),
    RESULT_NOT_READY(-9),
    NOT_ALLOCATED(-10),
    INFER_NOT_STARTED(-11),
    NETWORK_NOT_READ(-12),
    INFER_CANCELLED(-13),
    INVALID_C_PARAM(-14),
    UNKNOWN_C_ERROR(-15),
    NOT_IMPLEMENT_C_METHOD(-16),
    UNKNOW_EXCEPTION(-17),
    /** A code this binding does not know (a newer runtime). */
    UNRECOGNIZED(Integer.MIN_VALUE);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Status of(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return UNRECOGNIZED;
    }

    /**
     * Whether the runtime stored an error text for this status. The C wrapper sets the last
     * error message only when it catches a C++ exception; the other codes are returned
     * directly, and the stored text is then a stale one from an earlier failure.
     */
    boolean hasRuntimeMessage() {
        return switch (this) {
            case GENERAL_ERROR, NOT_IMPLEMENTED, REQUEST_BUSY, INFER_CANCELLED, UNKNOW_EXCEPTION -> true;
            default -> false;
        };
    }
}

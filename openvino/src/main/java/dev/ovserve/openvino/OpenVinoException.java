package dev.ovserve.openvino;

/** A non-OK status from an OpenVINO C API call, with the runtime's own error text. */
public class OpenVinoException extends RuntimeException {
    private final Status status;
    private final String function;
    private final String runtimeMessage;

    public OpenVinoException(Status status, String function, String runtimeMessage) {
        super(function + " failed: " + status + (runtimeMessage == null || runtimeMessage.isBlank()
                ? "" : ": " + runtimeMessage.strip()));
        this.status = status;
        this.function = function;
        this.runtimeMessage = runtimeMessage;
    }

    /** The status the C function returned. */
    public Status status() {
        return status;
    }

    /** The C function that failed, e.g. {@code ov_core_read_model}. */
    public String function() {
        return function;
    }

    /** The runtime's text ({@code ov_get_last_err_msg}), or its generic status text; may be null. */
    public String runtimeMessage() {
        return runtimeMessage;
    }
}

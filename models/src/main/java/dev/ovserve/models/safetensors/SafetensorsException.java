package dev.ovserve.models.safetensors;

/** A safetensors file that is malformed, truncated or asks for something this reader cannot do. */
public class SafetensorsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.ovserve.server.http;

/**
 * Request bounds.
 *
 * @param maxBodyBytes   largest request body accepted (413 beyond)
 * @param retryAfterSeconds what 429/503 responses tell clients to wait
 */
public record Limits(int maxBodyBytes, int retryAfterSeconds) {
    public static final Limits DEFAULT = new Limits(4 << 20, 1);
}

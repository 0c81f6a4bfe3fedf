package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * vLLM's {@code cache_salt}: requests share prefix-cache blocks only when their salts are equal
 * (a request without one shares only with others without one), so clients that do not share a
 * salt cannot learn each other's prompts from {@code cached_tokens}.
 */
public final class CacheSalt {
    /** Longer salts are refused: the salt is kept with each cached first block. */
    public static final int MAX_CHARS = 256;

    private CacheSalt() {}

    /** The request's salt, or null when it gives none. */
    public static String from(ObjectNode root) {
        String salt = Fields.of(root).string("cache_salt");
        if (salt == null) {
            return null;
        }
        if (salt.isEmpty() || salt.length() > MAX_CHARS) {
            throw ApiException.invalidValue("cache_salt", "cache_salt must be a non-empty string of at most " + MAX_CHARS
                    + " characters, got " + salt.length());
        }
        return salt;
    }
}

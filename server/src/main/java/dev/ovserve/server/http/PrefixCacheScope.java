package dev.ovserve.server.http;

/**
 * Which requests may share prefix-cache blocks ({@code serve --prefix-cache-scope}). The engine
 * shares blocks only between equal salts; this decides the salt a request runs with.
 */
public enum PrefixCacheScope {
    /** Every request with the same {@code cache_salt} (or none) shares: the most reuse. */
    GLOBAL,
    /**
     * Only requests on the same connection (with the same {@code cache_salt}) share, so no other
     * client can learn a prompt from {@code cached_tokens}; a new connection starts cold.
     */
    CONNECTION;

    /** The salt the engine gets for a request with {@code requestSalt} (null: none) from {@code client}. */
    String salt(String requestSalt, String client) {
        return switch (this) {
            case GLOBAL -> requestSalt;
            case CONNECTION -> client + '\0' + (requestSalt == null ? "" : requestSalt);
        };
    }

    /** From the flag's value: {@code global} or {@code connection}. */
    public static PrefixCacheScope parse(String value) {
        return switch (value) {
            case "global" -> GLOBAL;
            case "connection" -> CONNECTION;
            default -> throw new IllegalArgumentException("--prefix-cache-scope must be global or connection, got " + value);
        };
    }
}

package dev.ovserve.scheduler.engine;

/** Why a request did not complete. {@link Kind#OVERLOADED} maps to 429/503 with Retry-After. */
public record EngineError(Kind kind, String message) {
    public enum Kind { INVALID_REQUEST, OVERLOADED, INTERNAL, SHUTDOWN }
}

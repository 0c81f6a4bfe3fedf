package dev.ovserve.tokenizer.chat;

import java.time.ZonedDateTime;

/**
 * The global functions Hugging Face adds to its chat-template environment. Public only because
 * Jinjava invokes them reflectively.
 */
public final class TemplateFunctions {
    private TemplateFunctions() {}

    /** Thrown by {@code raise_exception}; found again in Jinjava's error list after rendering. */
    static final class RaisedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RaisedException(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code raise_exception(msg)}: aborts rendering with the template's message. */
    public static String raiseException(Object message) {
        throw new RaisedException(String.valueOf(message));
    }

    /** {@code strftime_now(format)}: the local time in a Python {@code strftime} format (Llama 3.x templates). */
    public static String strftimeNow(String format) {
        return Strftime.format(format, ZonedDateTime.now());
    }
}

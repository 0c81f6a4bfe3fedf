package dev.ovserve.server.api;

import java.util.concurrent.ThreadLocalRandom;

/** Response ids as OpenAI spells them: a prefix and 24 random base-62 characters (~143 bits). */
public final class ResponseIds {
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    static final int RANDOM_CHARS = 24;

    private ResponseIds() {}

    public static String completion() {
        return "cmpl-" + random();
    }

    public static String chatCompletion() {
        return "chatcmpl-" + random();
    }

    /** Unique, not secret: ids only tell responses apart, so a fast generator is enough. */
    static String random() {
        var random = ThreadLocalRandom.current();
        var out = new char[RANDOM_CHARS];
        for (int i = 0; i < out.length; i++) {
            out[i] = BASE62[random.nextInt(BASE62.length)];
        }
        return new String(out);
    }
}

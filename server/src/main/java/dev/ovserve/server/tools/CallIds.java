package dev.ovserve.server.tools;

import java.security.SecureRandom;

/** OpenAI-style call ids: {@code call_} and 24 random base-62 characters. */
final class CallIds {
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private CallIds() {}

    static String next() {
        var s = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            s.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return s.toString();
    }
}

package dev.ovserve.server.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Responses are written with Jackson's streaming generator, not by serializing objects: no
 * reflection, no intermediate tree, one byte array per response or SSE chunk.
 */
final class JsonOutput {
    static final JsonFactory FACTORY = JsonFactory.builder().build();

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private JsonOutput() {}

    static byte[] write(int sizeHint, Body body) {
        try (var bytes = new ByteArrayBuilder(sizeHint)) {
            try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
                body.write(g);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            // Writing to memory cannot fail; a generator error here is a bug in the caller.
            throw new UncheckedIOException(e);
        }
    }

    /** Model output may in theory hold a lone surrogate, which UTF-8 cannot encode: replace it. */
    static String wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return replaceLoneSurrogates(s);
            }
        }
        return s;
    }

    private static String replaceLoneSurrogates(String s) {
        var out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    /** JSON has no infinities; OpenAI-compatible servers (vLLM) clamp log-probabilities to -9999. */
    static double finiteLogprob(double logprob) {
        return Double.isFinite(logprob) ? logprob : -9999.0;
    }
}

package dev.ovserve.server.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * A token as the client sees it in log-probability lists: its text, its bytes and its
 * log-probability. A token that is only part of a UTF-8 character has no text of its own; OpenAI
 * then writes {@code "bytes:\xe2\x80"} as the token and the raw bytes in {@code bytes}; so does this.
 */
public record LogprobToken(String token, byte[] bytes, double logprob) {
    public LogprobToken {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public static LogprobToken of(String token, double logprob) {
        return new LogprobToken(token, token.getBytes(StandardCharsets.UTF_8), logprob);
    }

    public static LogprobToken ofBytes(byte[] bytes, double logprob) {
        return new LogprobToken(textOf(bytes), bytes, logprob);
    }

    static String textOf(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException partial) {
            var text = new StringBuilder("bytes:");
            for (byte b : bytes) {
                text.append(String.format("\\x%02x", b & 0xff));
            }
            return text.toString();
        }
    }

    /**
     * How many characters begin in this token: its UTF-8 lead bytes. Summed over a text's tokens it
     * is the text's length in code points even when tokens split characters, which makes it the
     * right step for {@code text_offset}.
     */
    int charactersStarted() {
        int n = 0;
        for (byte b : bytes) {
            if ((b & 0xC0) != 0x80) {
                n++;
            }
        }
        return n;
    }

    /** Bytes as JSON writes them: a list of ints 0..255. */
    int byteAt(int i) {
        return bytes[i] & 0xff;
    }

    int byteCount() {
        return bytes.length;
    }
}

package dev.ovserve.tokenizer;

import java.util.Arrays;

/**
 * Turns a stream of generated token ids into text pieces for streaming, one call per token.
 *
 * <p>Byte-level tokens can end in the middle of a UTF-8 character; decoding such a prefix yields a
 * trailing U+FFFD that a later token may still turn into a real character. So trailing U+FFFDs are
 * held back until the next token decides them. Only a small window of recent tokens is decoded per
 * step: {@code [prefix, read)} is already-emitted context (keeps decoders that strip a leading space
 * from the first token honest), {@code [read, size)} is not yet fully emitted. The pieces of all
 * {@link #next} calls plus {@link #flush} concatenate to {@code decode(allIds)}.
 *
 * <p>Not thread-safe: one instance per sequence.
 */
public final class IncrementalDetokenizer {
    /** Decodes {@code ids[from, to)} to text. */
    @FunctionalInterface
    public interface WindowDecoder {
        String decode(int[] ids, int from, int to);
    }

    /** A truncated UTF-8 character has at most 3 bytes: at most 3 U+FFFDs (ByteFallback), 1 if lossy. */
    private static final int MAX_HELD_CHARS = 3;
    /** ... and each token carries at least one byte, so an unfinished character spans at most 3 tokens. */
    private static final int MAX_HELD_TOKENS = 3;
    private static final char REPLACEMENT = '\uFFFD';

    private final WindowDecoder decoder;
    private int[] ids = new int[64];
    private int size;
    private int prefix;
    private int read;
    /** Characters of {@code decode(ids[prefix, size))} already handed out (or belonging to context). */
    private int emitted;
    private boolean flushed;

    /**
     * @param context ids decoded only as left context and never emitted, e.g. the prompt's last few
     *                tokens, so the first generated token decodes as it would mid-text
     */
    public IncrementalDetokenizer(WindowDecoder decoder, int[] context) {
        this.decoder = decoder;
        for (int id : context) {
            append(id);
        }
        read = size;
        emitted = size == 0 ? 0 : decoder.decode(ids, 0, size).length();
    }

    public IncrementalDetokenizer(WindowDecoder decoder) {
        this(decoder, new int[0]);
    }

    public static IncrementalDetokenizer of(HfTokenizer tokenizer, boolean skipSpecialTokens) {
        return new IncrementalDetokenizer((ids, from, to) -> tokenizer.decode(ids, from, to, skipSpecialTokens));
    }

    /** Adds one token; returns the text it completes (often empty while a character is unfinished). */
    public String next(int id) {
        if (flushed) {
            throw new IllegalStateException("flush() already ended this stream");
        }
        append(id);
        String text = decoder.decode(ids, prefix, size);
        int end = text.length();
        int held = 0;
        while (held < MAX_HELD_CHARS && end > emitted && text.charAt(end - 1) == REPLACEMENT) {
            end--;
            held++;
        }
        // Everything before the trailing U+FFFDs is final: UTF-8 resynchronises after each character.
        String piece = end > emitted ? text.substring(emitted, end) : "";
        emitted = Math.max(emitted, end);
        if (held == 0) {
            if (text.length() == emitted) {
                slide(size, text.length());
            }
        } else if (size - read > MAX_HELD_TOKENS) {
            // Held for long (invalid bytes, or real U+FFFDs): commit the longest clean token boundary so
            // the window stays small. A boundary is clean when the tokens before it decode, alone, to a
            // prefix of the final text, i.e. no character straddles it.
            for (int b = size - 1; b > read; b--) {
                String head = decoder.decode(ids, prefix, b);
                if (head.length() <= emitted && text.startsWith(head)) {
                    slide(b, head.length());
                    break;
                }
            }
        }
        return piece;
    }

    /** Ends the stream: returns whatever was held back (an unfinished character becomes U+FFFD). */
    public String flush() {
        if (flushed) {
            return "";
        }
        flushed = true;
        String text = decoder.decode(ids, prefix, size);
        String piece = text.length() > emitted ? text.substring(emitted) : "";
        emitted = text.length();
        return piece;
    }

    /** Tokens before {@code boundary} are final; the last committed run becomes the window's context. */
    private void slide(int boundary, int headLength) {
        String context = decoder.decode(ids, read, boundary);
        if (context.isEmpty() && read > prefix) {
            // The run prints nothing (an id the vocabulary lacks, a skipped special token): as the
            // window's only context it would make the next token decode as the first of a text, and
            // SentencePiece decoders drop the first token's leading space. Keep the older context.
            read = boundary;
            return;
        }
        emitted = context.length() + (emitted - headLength);
        prefix = read;
        read = boundary;
    }

    private void append(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }
}

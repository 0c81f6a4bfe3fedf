package dev.ovserve.tokenizer;

/**
 * GPT-2's byte-to-unicode table: each byte maps to one printable character, so a byte-level BPE
 * vocabulary can be stored as JSON strings and decoded back to bytes by the ByteLevel decoder.
 * Printable Latin-1 bytes map to themselves; the other 68 bytes map to U+0100 upwards in order.
 */
final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = build();

    private ByteLevelAlphabet() {}

    /** The vocabulary character standing for byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    private static char[] build() {
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) next++;
        }
        return table;
    }
}

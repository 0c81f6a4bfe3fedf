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

    /** The byte a vocabulary character stands for, or -1 when it is not in the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    private static final int[] CHAR_TO_BYTE = inverse();

    private static int[] inverse() {
        var table = new int[512];
        java.util.Arrays.fill(table, -1);
        for (int b = 0; b < 256; b++) {
            table[BYTE_TO_CHAR[b]] = b;
        }
        return table;
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

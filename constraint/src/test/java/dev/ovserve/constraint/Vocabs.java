package dev.ovserve.constraint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Vocabularies for tests: GPT-2's real one, a SentencePiece-style one, a tiny byte-level one. */
final class Vocabs {
    private Vocabs() {}

    private static Vocabulary gpt2;

    /** GPT-2's 50,257 tokens from {@code .ovserve/gpt2-bpe/encoder.json}; EOS is 50256. */
    static synchronized Vocabulary gpt2() {
        if (gpt2 == null) {
            gpt2 = loadGpt2();
        }
        return gpt2;
    }

    static Path ovserveHome() {
        String home = System.getProperty("ovserve.home");
        if (home != null) {
            return Path.of(home);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(".ovserve"))) {
                return dir.resolve(".ovserve");
            }
        }
        return Path.of(".ovserve");
    }

    private static Vocabulary loadGpt2() {
        try {
            JsonNode enc = new ObjectMapper().readTree(Files.readString(ovserveHome().resolve("gpt2-bpe/encoder.json")));
            int[] charToByte = new int[0x200];
            java.util.Arrays.fill(charToByte, -1);
            int next = 256;
            for (int b = 0; b < 256; b++) {
                boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
                charToByte[printable ? b : next++] = b;
            }
            byte[][] tokens = new byte[enc.size()][];
            for (Iterator<Map.Entry<String, JsonNode>> it = enc.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String s = e.getKey();
                int id = e.getValue().asInt();
                if (s.equals("<|endoftext|>")) {
                    continue;
                }
                byte[] b = new byte[s.length()];
                for (int i = 0; i < s.length(); i++) {
                    b[i] = (byte) charToByte[s.charAt(i)];
                }
                tokens[id] = b;
            }
            return new Vocabulary(tokens, Set.of(50256), Set.of(50256));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A small SentencePiece-style vocabulary: specials {@code <unk> <s> </s>} (ids 0..2, no
     * bytes), 256 byte-fallback tokens {@code <0xNN>} (ids 3..258), then pieces where U+2581
     * stands for a space.
     */
    static Vocabulary sentencePiece() {
        List<byte[]> tokens = new ArrayList<>();
        tokens.add(null);
        tokens.add(null);
        tokens.add(null);
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
        }
        String[] pieces = {"▁the", "▁a", "name", "age", "\":", "\",\"", "{\"", "\"}", "true", "false", "null", "▁", "12", "3",
                "in", "er", "on", "\"", ",", ":", "[", "]", "{", "}", "é", "日本", "ab", "abc", "x", "y", "z", "-1", "0.5", "e+",
                "▁\"", "\\n", "\\\"", "}]", "[{", "\"]"};
        for (String p : pieces) {
            tokens.add(p.replace('▁', ' ').getBytes(StandardCharsets.UTF_8));
        }
        return new Vocabulary(tokens.toArray(new byte[0][]), Set.of(2), Set.of(0, 1, 2));
    }
}

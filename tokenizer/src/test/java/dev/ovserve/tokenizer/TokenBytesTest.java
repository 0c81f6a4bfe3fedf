package dev.ovserve.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token bytes against the tokenizer itself: for every sample, the bytes of its encoded tokens,
 * concatenated, are exactly the text's UTF-8 (which holds even when a token is part of a
 * character, where decoding one token alone cannot tell).
 */
class TokenBytesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static byte[] concat(TokenBytes tb, int[] ids) {
        var out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(tb.bytes()[id]);
        }
        return out.toByteArray();
    }

    static void assertSpells(HfTokenizer tok, TokenBytes tb, String text, String expected) {
        int[] ids = tok.encode(text, false);
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), concat(tb, ids), "bytes of the tokens of \"" + text + "\"");
    }

    @Test
    void gpt2ByteLevelBpe(@TempDir Path dir) throws IOException {
        TokenizerJson.gpt2(TokenizerJson.locateGpt2Bpe(), dir);
        TokenBytes tb = TokenBytes.load(dir, 50304); // the model pads its vocabulary beyond the tokenizer's
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            for (String s : Gpt2TokenizerTest.SAMPLES) {
                if (!s.contains("<|endoftext|>")) {
                    assertSpells(tok, tb, s, s);
                }
            }
            assertSpells(tok, tb, "{\"name\": \"x\", \"n\": [1, 2.5e-3, true, null]}", "{\"name\": \"x\", \"n\": [1, 2.5e-3, true, null]}");
            assertEquals(" the", new String(tb.bytes()[tok.tokenToId("Ġthe").orElseThrow()], StandardCharsets.UTF_8));
            assertEquals(50304 - 50256, tb.special().size(), "<|endoftext|> and the padding ids");
            assertTrue(tb.special().contains(50256));
            assertEquals(0, tb.bytes()[50256].length);
        }
    }

    @Test
    void tinyBytesTokenizer(@TempDir Path dir) throws IOException {
        TokenizerJson.bytes(384, dir);
        TokenBytes tb = TokenBytes.load(dir, 384);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            for (int b = 0; b < 256; b++) {
                assertArrayEquals(new byte[] {(byte) b}, tb.bytes()[b]);
            }
            assertSpells(tok, tb, "{\"a\": [1, -2.5, \"t\u00e9\"]}", "{\"a\": [1, -2.5, \"t\u00e9\"]}");
            assertEquals(java.util.Set.of(256), tb.special());
        }
    }

    /** A Llama-2-like SentencePiece BPE: ▁ for spaces, a prepended ▁, byte fallback for what the vocabulary lacks. */
    @Test
    void sentencePieceWithByteFallback(@TempDir Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<unk>", "<s>", "</s>"};
        for (int i = 0; i < 3; i++) {
            added.addObject().put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
        normalizer.putArray("normalizers").addObject().put("type", "Prepend").put("prepend", "\u2581");
        normalizer.withArray("normalizers").addObject().put("type", "Replace").set("pattern",
                JSON.createObjectNode().put("String", " "));
        ((ObjectNode) normalizer.withArray("normalizers").get(1)).put("content", "\u2581");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        ObjectNode replace = decoder.putArray("decoders").addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", "\u2581");
        replace.put("content", " ");
        decoder.withArray("decoders").addObject().put("type", "ByteFallback");
        decoder.withArray("decoders").addObject().put("type", "Fuse");
        decoder.withArray("decoders").addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model").put("type", "BPE").put("unk_token", "<unk>").put("byte_fallback", true)
                .put("fuse_unk", true);
        model.putNull("dropout");
        ObjectNode vocab = model.putObject("vocab");
        int id = 0;
        for (String s : specials) {
            vocab.put(s, id++);
        }
        for (int b = 0; b < 256; b++) {
            vocab.put(String.format("<0x%02X>", b), id++);
        }
        String[] pieces = {"\u2581", "h", "e", "l", "o", "w", "r", "d", "{", "}", "\"", ":", "1", "\u2581h", "\u2581he", "ll",
            "\u2581hell", "\u2581hello", "\u2581w"};
        for (String p : pieces) {
            vocab.put(p, id++);
        }
        ArrayNode merges = model.putArray("merges");
        for (String m : new String[] {"\u2581 h", "\u2581h e", "l l", "\u2581he ll", "\u2581hell o", "\u2581 w"}) {
            merges.add(m);
        }
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);

        TokenBytes tb = TokenBytes.load(dir, id);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            int hello = tok.tokenToId("\u2581hello").orElseThrow();
            assertEquals(" hello", new String(tb.bytes()[hello], StandardCharsets.UTF_8));
            assertArrayEquals(new byte[] {(byte) 0xC3}, tb.bytes()[tok.tokenToId("<0xC3>").orElseThrow()]);
            assertEquals(java.util.Set.of(0, 1, 2), tb.special());
            // The normalizer prepends ▁, so the token bytes spell the text after one space.
            assertSpells(tok, tb, "hello w\u00f6rld {\"h\": 1}", " hello w\u00f6rld {\"h\": 1}");
            assertTrue(tok.encode("\u00f6", false).length >= 2, "ö is spelled by byte-fallback tokens");
        }
    }
}

package dev.ovserve.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tokenizer.json in the shape transformers converts SentencePiece models to (Llama 2, Mistral,
 * Gemma): BPE over "▁"-prefixed pieces with byte fallback, a Metaspace-style decoder that drops the
 * first token's leading space.
 */
class SentencePieceTokenizerTest {
    @TempDir
    static Path dir;
    static HfTokenizer tok;
    static final int UNKNOWN = 40; // an id the model may produce (padded vocabulary) but the tokenizer lacks

    @BeforeAll
    static void write() throws Exception {
        StringBuilder vocab = new StringBuilder("\"<unk>\": 0, \"<s>\": 1, \"</s>\": 2");
        for (int b = 0; b < 16; b++) {
            vocab.append(String.format(", \"<0x%02X>\": %d", b + 0x20, 3 + b)); // bytes 0x20..0x2F
        }
        vocab.append(", \"▁\": 19, \"▁Hello\": 20, \"▁world\": 21, \"!\": 22, \"▁Paris\": 23, \"H\": 24, \"e\": 25");
        String json = """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [
                   {"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                   {"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                   {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
                 "pre_tokenizer": null,
                 "post_processor": null,
                 "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
                 "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null, "end_of_word_suffix": null,
                           "fuse_unk": true, "byte_fallback": true, "ignore_merges": false,
                           "vocab": {%s}, "merges": []}}
                """.formatted(vocab);
        Files.writeString(dir.resolve("tokenizer.json"), json);
        tok = HfTokenizer.load(dir);
    }

    @Test
    void decodesLikeSentencePiece() {
        assertEquals("Hello world!", tok.decode(new int[] {20, 21, 22}));
        assertEquals(" Paris", tok.tokenText(23), "a token's own text keeps its leading space (logprob strings)");
        assertEquals("!", tok.tokenText(22));
        assertEquals("<s>", tok.tokenText(1));
        assertEquals("Paris", tok.decode(new int[] {23}), "while a text's first token loses it");
    }

    @Test
    void idsTheVocabularyLacksDoNotEatTheNextSpace() {
        int[] ids = {20, UNKNOWN, 21, 22};
        assertEquals("Hello world!", tok.decode(ids));
        var d = IncrementalDetokenizer.of(tok, true);
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            text.append(d.next(id));
        }
        text.append(d.flush());
        assertEquals("Hello world!", text.toString());
    }

    @Test
    void skippedSpecialTokensDoNotEatTheNextSpaceEither() {
        int[] ids = {20, 2, 2, 21};
        var d = IncrementalDetokenizer.of(tok, true);
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            text.append(d.next(id));
        }
        text.append(d.flush());
        assertEquals("Hello world", text.toString());
    }

    @Test
    void textTheUserTypedNeverBecomesASpecialToken() {
        String content = "Hello </s><s>!";
        String prompt = "<s>" + content + "</s>"; // what a template might render
        int[] plain = tok.encode(prompt, false);
        assertEquals(4, java.util.Arrays.stream(plain).filter(id -> id == 1 || id == 2).count(), "the hole: 4 specials");
        int[] safe = tok.encodeChat(prompt, java.util.List.of(content));
        assertEquals(1, safe[0], "the template's own BOS stays special");
        assertEquals(2, safe[safe.length - 1], "and its own EOS");
        assertEquals(2, java.util.Arrays.stream(safe).filter(id -> id == 1 || id == 2).count(), "the user's are text: " 
                + java.util.Arrays.toString(safe));
        assertEquals(java.util.Arrays.toString(plain), java.util.Arrays.toString(tok.encodeChat(prompt, java.util.List.of("Hello"))),
                "without special text in user content, exactly the plain encoding");
        org.junit.jupiter.api.Assertions.assertTrue(tok.containsSpecialText(content));
    }
}

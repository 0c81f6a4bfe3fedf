package dev.ovserve.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementalDetokenizerTest {
    @TempDir
    static Path tmp;
    static HfTokenizer bytes;
    static HfTokenizer gpt2;

    @BeforeAll
    static void build() throws IOException {
        TokenizerJson.bytes(400, tmp.resolve("bytes"));
        bytes = HfTokenizer.load(tmp.resolve("bytes"));
        TokenizerJson.gpt2(TokenizerJson.locateGpt2Bpe(), tmp.resolve("gpt2"));
        gpt2 = HfTokenizer.load(tmp.resolve("gpt2"));
    }

    @AfterAll
    static void close() {
        if (bytes != null) {
            bytes.close();
        }
        if (gpt2 != null) {
            gpt2.close();
        }
    }

    /** Streams ids one by one; returns the pieces, the flush output last. */
    static List<String> stream(IncrementalDetokenizer detok, int[] ids) {
        var pieces = new ArrayList<String>();
        for (int id : ids) {
            pieces.add(detok.next(id));
        }
        pieces.add(detok.flush());
        return pieces;
    }

    static void assertValidUtf16(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertTrue(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)), "lone high surrogate in " + s);
                i++;
            } else {
                assertFalse(Character.isLowSurrogate(c), "lone low surrogate in " + s);
            }
        }
    }

    static void assertStreamsCleanly(HfTokenizer tok, String text) {
        int[] ids = tok.encode(text);
        List<String> pieces = stream(IncrementalDetokenizer.of(tok, false), ids);
        for (String p : pieces) {
            assertFalse(p.contains("\uFFFD"), () -> "U+FFFD streamed for valid text " + text + ": " + pieces);
            assertValidUtf16(p);
        }
        assertEquals(tok.decode(ids), String.join("", pieces));
        assertEquals(text, String.join("", pieces));
    }

    @Test
    void validTextNeverStreamsReplacementCharacters() {
        var samples = new ArrayList<>(List.of("😀", "a😀b", "😀😀😀", "👨‍👩‍👧 family", " naïve 中文 𠀀𠀁 ok",
                "Hello, world! Don't panic.\n\tIndented", "<|endoftext|> after special"));
        var rnd = new Random(42);
        for (int i = 0; i < 150; i++) {
            samples.add(BytesTokenizerTest.randomText(rnd, 1 + rnd.nextInt(30)));
        }
        for (String s : samples) {
            assertStreamsCleanly(bytes, s);
            assertStreamsCleanly(gpt2, s);
        }
    }

    @Test
    void emojiSplitAcrossByteTokensIsHeldUntilComplete() {
        var detok = IncrementalDetokenizer.of(bytes, false);
        assertEquals("a", detok.next('a'));
        assertEquals("", detok.next(0xF0));
        assertEquals("", detok.next(0x9F));
        assertEquals("", detok.next(0x98));
        assertEquals("😀", detok.next(0x80));
        assertEquals("b", detok.next('b'));
        assertEquals("", detok.flush());
    }

    @Test
    void invalidBytesBecomeReplacementCharactersAndTerminate() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            // Lone continuation bytes can never become valid: they must come out, not pile up.
            int[] lone = new int[200];
            Arrays.fill(lone, 0x80);
            var detok = IncrementalDetokenizer.of(bytes, false);
            var early = new StringBuilder();
            for (int id : lone) {
                early.append(detok.next(id));
            }
            assertTrue(early.length() >= 190, "held back " + (200 - early.length()) + " invalid bytes");
            assertEquals("\uFFFD".repeat(200), early + detok.flush());

            // ...and the window must keep sliding while they come, not grow with every token.
            var decodedTokens = new AtomicLong();
            var counting = new IncrementalDetokenizer((ids, from, to) -> {
                decodedTokens.addAndGet(to - from);
                return bytes.decode(ids, from, to, false);
            });
            int[] many = new int[3000];
            Arrays.fill(many, 0xBF);
            assertEquals("\uFFFD".repeat(3000), String.join("", stream(counting, many)));
            assertTrue(decodedTokens.get() < 30L * many.length, "decoded " + decodedTokens.get() + " tokens: not windowed");

            // An invalid byte then a complete emoji: one U+FFFD and the emoji, both out before flush.
            List<String> pieces = stream(IncrementalDetokenizer.of(bytes, false), new int[] {0x80, 0xF0, 0x9F, 0x98, 0x80});
            assertEquals("\uFFFD😀", String.join("", pieces));
            assertEquals("", pieces.getLast());
            // Truncated character interrupted by ASCII, and one cut off at the end.
            assertEquals("A\uFFFDB\uFFFD", String.join("",
                    stream(IncrementalDetokenizer.of(bytes, false), new int[] {'A', 0xF0, 0x9F, 'B', 0xE2, 0x82})));
        });
    }

    @Test
    void randomIdStreamsConcatenateToFullDecode() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            var rnd = new Random(7);
            for (HfTokenizer tok : List.of(bytes, gpt2)) {
                for (int round = 0; round < 150; round++) {
                    int[] ids = new int[rnd.nextInt(40)];
                    for (int i = 0; i < ids.length; i++) {
                        // Mostly high bytes (partial/invalid UTF-8), some ASCII, some any token.
                        int kind = rnd.nextInt(4);
                        ids[i] = kind < 2 ? 0x80 + rnd.nextInt(0x80) : kind == 2 ? 0x20 + rnd.nextInt(0x5F)
                                : rnd.nextInt(tok.vocabSize());
                        if (tok == gpt2 && kind < 2) {
                            ids[i] = gpt2.tokenToId(String.valueOf(ByteLevelAlphabet.charOf(ids[i]))).orElseThrow();
                        }
                    }
                    List<String> pieces = stream(IncrementalDetokenizer.of(tok, false), ids);
                    pieces.forEach(IncrementalDetokenizerTest::assertValidUtf16);
                    assertEquals(tok.decode(ids), String.join("", pieces), () -> "ids " + Arrays.toString(ids));
                }
            }
        });
    }

    @Test
    void decodesOnlyASmallWindowPerToken() {
        var decodedTokens = new AtomicLong();
        IncrementalDetokenizer.WindowDecoder counting = (ids, from, to) -> {
            decodedTokens.addAndGet(to - from);
            return gpt2.decode(ids, from, to, false);
        };
        String text = "Streaming text with émojis 😀 and 中文 mixed in. ".repeat(60);
        int[] ids = gpt2.encode(text);
        var detok = new IncrementalDetokenizer(counting);
        var out = new StringBuilder();
        for (int id : ids) {
            out.append(detok.next(id));
        }
        out.append(detok.flush());
        assertEquals(text, out.toString());
        assertTrue(ids.length > 1000);
        assertTrue(decodedTokens.get() < 10L * ids.length,
                "decoded " + decodedTokens.get() + " tokens for " + ids.length + ": not windowed");
    }

    @Test
    void contextTokensAreNotEmittedAndFlushEndsTheStream() {
        int[] prompt = gpt2.encode("The prompt ends with an emoji 😀");
        int[] generated = gpt2.encode(" and the answer 👍 continues");
        var detok = new IncrementalDetokenizer((ids, from, to) -> gpt2.decode(ids, from, to, false),
                Arrays.copyOfRange(prompt, prompt.length - 3, prompt.length));
        assertEquals(" and the answer 👍 continues", String.join("", stream(detok, generated)));
        assertThrows(IllegalStateException.class, () -> detok.next(1));

        var skipping = IncrementalDetokenizer.of(gpt2, true);
        assertEquals("ab", String.join("", stream(skipping, gpt2.encode("a<|endoftext|>b"))));
    }
}

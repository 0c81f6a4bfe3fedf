package dev.ovserve.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2TokenizerTest {
    static final List<String> SAMPLES = List.of(
            "Hello world",
            " The quick brown fox jumps over the lazy dog.",
            "   leading spaces, and   trailing   ",
            "Numbers: 12345 67890 3.14159 1,000,000 and 2024-06-01",
            "Punctuation!?... (parens) [brackets] {braces} @#$%^&* -- \"quotes\" 'single'",
            "I don't think they'll've done it; we're sure I'd've. DON'T you've it's",
            "line one\nline two\n\n\tindented\r\nend\n",
            "emoji 😀👍🏽 family 👨‍👩‍👧 flag 🇫🇷",
            "中文字符和日本語のテキスト 한국어 текст",
            "Café naïve résumé Ångström Straße coöperate",
            "def f(x):\n    return x**2  # comment\n",
            "",
            "<|endoftext|>",
            "before<|endoftext|>after <|endoftext|> again",
            "Ġ is a byte-level char, and so are \u0000 and \u007f");

    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static TokenizerJson.Gpt2BpeFiles files;
    static HfTokenizer gpt2;

    @BeforeAll
    static void build() throws IOException {
        files = TokenizerJson.locateGpt2Bpe();
        TokenizerJson.gpt2(files, tmp.resolve("gpt2"));
        gpt2 = HfTokenizer.load(tmp.resolve("gpt2"));
    }

    @AfterAll
    static void close() {
        if (gpt2 != null) {
            gpt2.close();
        }
    }

    @Test
    void matchesIndependentJsReferenceEncoder() throws Exception {
        assumeTrue(nodeAvailable(), "node is not on PATH: skipping the comparison with the gpt-3-encoder JS reference");
        int[][] expected = nodeEncode(SAMPLES);
        for (int i = 0; i < SAMPLES.size(); i++) {
            String s = SAMPLES.get(i);
            assertArrayEquals(expected[i], gpt2.encode(s), () -> "encoding of " + JSON.valueToTree(s));
        }
    }

    @Test
    void decodeRoundTripsAndSpecialTokenIsOneId() {
        for (String s : SAMPLES) {
            assertEquals(s, gpt2.decode(gpt2.encode(s)));
        }
        assertArrayEquals(new int[] {50256}, gpt2.encode("<|endoftext|>"));
        assertEquals("ab", gpt2.decode(gpt2.encode("a<|endoftext|>b"), true), "skipSpecialTokens drops it");
        // DJL would "clean up" " ." to "." unless switched off.
        assertEquals("a . b , c 's", gpt2.decode(gpt2.encode("a . b , c 's")));
    }

    @Test
    void ignoresDecodeCleanupRequestedByTokenizerConfig() throws IOException {
        // Many HF configs set clean_up_tokenization_spaces=true; DJL would then turn " ." into ".".
        // eos_token may also be an AddedToken object, which DJL's own config parser rejects.
        List<String> configs = List.of("""
                {"eos_token": "<|endoftext|>", "clean_up_tokenization_spaces": true,
                 "add_prefix_space": true, "do_lower_case": true, "strip_accents": true}""", """
                {"eos_token": {"__type": "AddedToken", "content": "<|endoftext|>"}}""");
        for (int i = 0; i < configs.size(); i++) {
            Path dir = Files.createDirectories(tmp.resolve("config" + i));
            Files.copy(tmp.resolve("gpt2/tokenizer.json"), dir.resolve("tokenizer.json"));
            Files.writeString(dir.resolve("tokenizer_config.json"), configs.get(i));
            try (var tok = HfTokenizer.load(dir)) {
                assertEquals(OptionalInt.of(50256), tok.eosTokenId());
                String text = "Hello , world . I 'm HERE ! Café";
                assertArrayEquals(gpt2.encode(text), tok.encode(text));
                assertEquals(text, tok.decode(tok.encode(text)));
            }
        }
    }

    @Test
    void vocabularyAndNoImplicitSpecialTokens() {
        assertEquals(50257, gpt2.vocabSize());
        assertEquals(OptionalInt.of(50256), gpt2.eosTokenId());
        assertEquals("<|endoftext|>", gpt2.idToToken(50256).orElseThrow());
        assertEquals("Ġthe", gpt2.idToToken(262).orElseThrow());
        assertEquals(OptionalInt.of(262), gpt2.tokenToId("Ġthe"));
        assertTrue(gpt2.idToToken(50257).isEmpty());
        assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world"));
        assertArrayEquals(gpt2.encode("Hello world", false), gpt2.encode("Hello world", true));
    }

    @Test
    void doesNotTruncateLongInput() {
        String text = " hello".repeat(3000);
        int[] ids = gpt2.encode(text);
        assertEquals(3000, ids.length, "' hello' is one GPT-2 token; DJL's default would cut at 512");
        assertEquals(text, gpt2.decode(ids));
        String words = " lorem ipsum 123!".repeat(1000);
        assertTrue(gpt2.encode(words).length >= 3000);
    }

    static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs the npm package's own encode(); it knows no special tokens, so split on them as HF does. */
    static int[][] nodeEncode(List<String> texts) throws Exception {
        Path script = tmp.resolve("encode.js");
        Files.writeString(script, """
                const enc = require(require('path').resolve(process.argv[2], 'index.js'));
                let input = '';
                process.stdin.setEncoding('utf8');
                process.stdin.on('data', d => input += d);
                process.stdin.on('end', () => {
                  const out = JSON.parse(input).map(s => s.split('<|endoftext|>')
                      .flatMap((part, i) => i === 0 ? enc.encode(part) : [50256, ...enc.encode(part)]));
                  process.stdout.write(JSON.stringify(out));
                });
                """);
        Path pkg = files.encoderJson().getParent();
        Process p = new ProcessBuilder("node", script.toString(), pkg.toString()).start();
        try (var in = p.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(texts));
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node did not finish");
        assertEquals(0, p.exitValue(), () -> "node failed: " + err);
        int[][] result = JSON.readValue(out, int[][].class);
        assertEquals(texts.size(), result.length);
        assertTrue(Arrays.stream(result).mapToInt(a -> a.length).sum() > 100, "reference produced ids");
        return result;
    }
}

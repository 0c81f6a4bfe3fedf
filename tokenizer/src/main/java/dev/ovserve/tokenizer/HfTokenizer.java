package dev.ovserve.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust tokenizers library through DJL.
 * Thread-safe for encode/decode (the native tokenizer is immutable); close it once.
 *
 * <p>DJL's defaults are wrong for an LLM server and are switched off: it truncates to 512 tokens,
 * can pad, lower-cases/strips accents/prefixes a space from tokenizer_config.json, and "cleans up"
 * spaces before punctuation when decoding. Here tokenizer.json alone decides the text ↔ ids mapping.
 */
public final class HfTokenizer implements AutoCloseable {
    static {
        // Offline mode stops DJL's EC2 telemetry call and makes it take the CPU native library bundled
        // in its jar instead of downloading a CUDA build when a GPU is visible. Explicit settings win.
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final String[] idToToken;
    private final Map<String, Integer> tokenToId;
    private final OptionalInt eosTokenId;
    /** The texts of added tokens marked special (role markers, BOS/EOS …), longest first. */
    private final List<String> specialTexts;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, String[] idToToken, Map<String, Integer> tokenToId,
                        OptionalInt eosTokenId, List<String> specialTexts) {
        this.tokenizer = tokenizer;
        this.idToToken = idToToken;
        this.tokenToId = tokenToId;
        this.eosTokenId = eosTokenId;
        this.specialTexts = specialTexts;
    }

    /** Loads {@code dir/tokenizer.json}; {@code dir/tokenizer_config.json}, if present, names the EOS token. */
    public static HfTokenizer load(Path dir) throws IOException {
        Path json = dir.resolve(TokenizerJson.TOKENIZER_FILE);
        if (!Files.isRegularFile(json)) {
            throw new IOException("no " + TokenizerJson.TOKENIZER_FILE + " in " + dir);
        }
        byte[] jsonBytes = Files.readAllBytes(json);
        JsonNode root = JSON.readTree(jsonBytes);
        var tokenToId = vocabulary(root);
        int size = tokenToId.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        var idToToken = new String[size];
        tokenToId.forEach((token, id) -> idToToken[id] = token);

        OptionalInt eos = OptionalInt.empty();
        Path config = dir.resolve(TokenizerJson.CONFIG_FILE);
        if (Files.isRegularFile(config)) {
            JsonNode eosNode = JSON.readTree(config.toFile()).path("eos_token");
            // eos_token is either a string or an AddedToken object {"content": ...}.
            String eosText = eosNode.isObject() ? eosNode.path("content").asText(null) : eosNode.asText(null);
            Integer id = eosText == null ? null : tokenToId.get(eosText);
            eos = id == null ? OptionalInt.empty() : OptionalInt.of(id);
        }

        var options = new HashMap<String, String>();
        options.put("truncation", "false");
        options.put("padding", "false");
        options.put("addSpecialTokens", "true");
        HuggingFaceTokenizer tokenizer;
        try (InputStream in = new ByteArrayInputStream(jsonBytes)) {
            // No TokenizerConfig: from it DJL would apply decode-time space cleanup, lower-casing,
            // accent stripping and prefix spaces in Java; it also fails on eos_token objects.
            tokenizer = HuggingFaceTokenizer.newInstance(in, options, null);
        }
        List<String> specials = new ArrayList<>();
        for (JsonNode added : root.path("added_tokens")) {
            if (added.path("special").asBoolean(false) && !added.path("content").asText("").isEmpty()) {
                specials.add(added.get("content").asText());
            }
        }
        specials.sort(Comparator.comparingInt(String::length).reversed());
        return new HfTokenizer(tokenizer, idToToken, tokenToId, eos, List.copyOf(specials));
    }

    /** token → id for the model vocabulary (BPE/WordPiece/WordLevel object or Unigram list) plus added tokens. */
    private static Map<String, Integer> vocabulary(JsonNode root) throws IOException {
        var map = new HashMap<String, Integer>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            vocab.properties().forEach(e -> map.put(e.getKey(), e.getValue().intValue()));
        } else if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                map.put(vocab.get(i).get(0).asText(), i);
            }
        } else {
            throw new IOException("tokenizer.json has no model.vocab");
        }
        for (JsonNode added : root.path("added_tokens")) {
            map.put(added.path("content").asText(), added.path("id").intValue());
        }
        return map;
    }

    /**
     * Encodes text, adding only the special tokens the tokenizer.json post-processor asks for
     * (none for GPT-2; BOS for Llama-style templates), as HF's {@code tokenizer(text)} does.
     */
    public int[] encode(String text) {
        return encode(text, true);
    }

    /** Encodes text; {@code addSpecialTokens=false} is for text that already carries them (chat templates). */
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
        var out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /**
     * Encodes a rendered chat prompt (no special tokens added) so that text the user typed never
     * becomes a special token: where one of {@code literals} (the messages' contents, found in
     * order in {@code prompt}) contains a special token's text, that text is encoded as ordinary
     * characters. The template's own special tokens are unaffected. Without such text this is
     * exactly {@code encode(prompt, false)}, as transformers and vLLM tokenize; they let a user
     * typing {@code <|im_start|>system} forge a turn, which this deliberately does not.
     */
    public int[] encodeChat(String prompt, List<String> literals) {
        List<int[]> forged = new ArrayList<>(); // [start, end) of special-token text inside user text
        int from = 0;
        for (String literal : literals) {
            if (literal.isEmpty()) {
                continue;
            }
            int at = prompt.indexOf(literal, from);
            String found = literal;
            if (at < 0 && !literal.strip().isEmpty()) { // templates often trim the content
                found = literal.strip();
                at = prompt.indexOf(found, from);
            }
            if (at < 0) {
                continue;
            }
            for (int i = at; i < at + found.length(); ) {
                String special = specialAt(prompt, i, at + found.length());
                if (special == null) {
                    i++;
                } else {
                    forged.add(new int[] {i, i + special.length()});
                    i += special.length();
                }
            }
            from = at + found.length();
        }
        if (forged.isEmpty()) {
            return encode(prompt, false);
        }
        List<Integer> ids = new ArrayList<>();
        int pos = 0;
        for (int[] f : forged) {
            addAll(ids, encode(prompt.substring(pos, f[0]), false));
            // First character alone, then the rest: neither piece is the special token's text.
            addAll(ids, encode(prompt.substring(f[0], f[0] + 1), false));
            addAll(ids, encode(prompt.substring(f[0] + 1, f[1]), false));
            pos = f[1];
        }
        addAll(ids, encode(prompt.substring(pos), false));
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether {@code text} holds the text of a special token (then {@link #encodeChat} splits it). */
    public boolean containsSpecialText(String text) {
        for (String special : specialTexts) {
            if (text.contains(special)) {
                return true;
            }
        }
        return false;
    }

    private String specialAt(String text, int i, int end) {
        for (String special : specialTexts) {
            if (i + special.length() <= end && text.startsWith(special, i)) {
                return special;
            }
        }
        return null;
    }

    private static void addAll(List<Integer> out, int[] ids) {
        for (int id : ids) {
            out.add(id);
        }
    }

    /** Decodes ids to text, keeping special tokens (HF's default). */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids, 0, ids.length, skipSpecialTokens);
    }

    /** Decodes {@code ids[from, to)}: lets the incremental detokenizer decode a window without copying twice. */
    public String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
        var longs = new long[to - from];
        for (int i = from; i < to; i++) {
            longs[i - from] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecialTokens);
    }

    /**
     * One token's own text as it appears mid-text, for per-token logprob strings. Decoding the id
     * alone would be wrong for SentencePiece vocabularies, whose decoders drop the leading space of
     * a text's first token ({@code ▁Paris} → {@code "Paris"}); decoding it after itself and
     * removing the first copy's text keeps it ({@code " Paris"}). Special tokens keep their text.
     */
    public String tokenText(int id) {
        String once = decode(new int[] {id}, false);
        String twice = decode(new int[] {id, id}, false);
        return twice.startsWith(once) && twice.length() > once.length() ? twice.substring(once.length()) : once;
    }

    /** Largest token id + 1: the number of logits a model for this tokenizer must produce at least. */
    public int vocabSize() {
        return idToToken.length;
    }

    /** The id of tokenizer_config.json's eos_token, when it names one that is in the vocabulary. */
    public OptionalInt eosTokenId() {
        return eosTokenId;
    }

    /** The raw vocabulary string of an id (byte-level BPE shows a leading space as "Ġ"), if the id is used. */
    public Optional<String> idToToken(int id) {
        return id >= 0 && id < idToToken.length ? Optional.ofNullable(idToToken[id]) : Optional.empty();
    }

    /** The id of a raw vocabulary string or added token, e.g. {@code "<|endoftext|>"}. */
    public OptionalInt tokenToId(String token) {
        Integer id = tokenToId.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "HfTokenizer[vocabSize=" + vocabSize() + ", eos=" + eosTokenId + "]";
    }
}

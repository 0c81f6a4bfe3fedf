package dev.ovserve.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The exact bytes each token id stands for, as constrained decoding matches them, read from a
 * Hugging Face {@code tokenizer.json}:
 * <ul>
 *   <li>byte-level BPE (GPT-2, Llama 3, Qwen: a {@code ByteLevel} decoder or pre-tokenizer): each
 *       vocabulary character maps back through GPT-2's byte alphabet;
 *   <li>SentencePiece style (Llama 2, Mistral: {@code ▁} for a space, {@code <0xNN>} byte-fallback
 *       tokens): {@code ▁} becomes a space and {@code <0xNN>} the byte NN;
 *   <li>added tokens: their content as UTF-8; special ones (and ids no token uses, up to the
 *       model's vocabulary) are listed in {@link #special()} and have no bytes, so a constraint
 *       never allows them as text.
 * </ul>
 * Per-token SentencePiece decoders strip a leading space only at the very start of a text;
 * constrained output continues a prompt, so a token's bytes keep their space.
 *
 * @param bytes one array per id, {@code [0, vocabSize)}
 * @param special ids that are not text (special and unused ids)
 */
public record TokenBytes(byte[][] bytes, Set<Integer> special) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NONE = new byte[0];

    public TokenBytes {
        special = Set.copyOf(special);
    }

    public int size() {
        return bytes.length;
    }

    /** Reads {@code dir/tokenizer.json}; ids from the tokenizer's size up to {@code vocabSize} are unused (special). */
    public static TokenBytes load(Path dir, int vocabSize) throws IOException {
        return of(JSON.readTree(dir.resolve(TokenizerJson.TOKENIZER_FILE).toFile()), vocabSize);
    }

    static TokenBytes of(JsonNode root, int vocabSize) throws IOException {
        JsonNode model = root.path("model");
        boolean byteLevel = mentions(root.path("decoder"), "ByteLevel") || mentions(root.path("pre_tokenizer"), "ByteLevel");
        boolean byteFallback = model.path("byte_fallback").asBoolean(false) || mentions(root.path("decoder"), "ByteFallback");
        var bytes = new byte[vocabSize][];
        Set<Integer> special = new HashSet<>();
        JsonNode vocab = model.path("vocab");
        if (vocab.isObject()) {
            for (var e : vocab.properties()) {
                put(bytes, e.getValue().intValue(), tokenBytes(e.getKey(), byteLevel, byteFallback));
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                put(bytes, i, tokenBytes(vocab.get(i).get(0).asText(), byteLevel, byteFallback));
            }
        } else {
            throw new IOException("tokenizer.json has no model.vocab");
        }
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").intValue();
            if (added.path("special").asBoolean(false)) {
                special.add(id);
                put(bytes, id, NONE);
            } else {
                put(bytes, id, added.path("content").asText().getBytes(StandardCharsets.UTF_8));
            }
        }
        for (int id = 0; id < vocabSize; id++) {
            if (bytes[id] == null) {
                bytes[id] = NONE;
                special.add(id);
            }
        }
        return new TokenBytes(bytes, special);
    }

    private static void put(byte[][] bytes, int id, byte[] value) {
        if (id >= 0 && id < bytes.length) {
            bytes[id] = value;
        }
    }

    static byte[] tokenBytes(String token, boolean byteLevel, boolean byteFallback) {
        if (byteFallback && token.length() == 6 && token.startsWith("<0x") && token.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(token.substring(3, 5), 16)};
            } catch (NumberFormatException notAByte) {
                // an ordinary token that happens to look like one
            }
        }
        if (byteLevel) {
            var out = new ByteArrayOutputStream(token.length());
            for (int i = 0; i < token.length(); i++) {
                int b = ByteLevelAlphabet.byteOf(token.charAt(i));
                if (b < 0) {
                    return token.getBytes(StandardCharsets.UTF_8); // not byte-level text (e.g. an added word)
                }
                out.write(b);
            }
            return out.toByteArray();
        }
        return token.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a (possibly nested {@code Sequence}) component has the given type. */
    private static boolean mentions(JsonNode component, String type) {
        if (component == null || component.isMissingNode() || component.isNull()) {
            return false;
        }
        if (type.equals(component.path("type").asText())) {
            return true;
        }
        for (String list : new String[] {"decoders", "pretokenizers"}) {
            for (JsonNode child : component.path(list)) {
                if (mentions(child, type)) {
                    return true;
                }
            }
        }
        return false;
    }
}

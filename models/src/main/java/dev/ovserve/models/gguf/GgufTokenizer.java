package dev.ovserve.models.gguf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes the Hugging Face tokenizer files of a GGUF whose vocabulary is byte-level BPE
 * ({@code tokenizer.ggml.model = gpt2}): {@code tokenizer.json} with the GGUF's tokens, merges and
 * its pre-tokenizer's split rules, a plain ByteLevel decoder, the control tokens as special added
 * tokens; {@code tokenizer_config.json} with bos/eos/pad/unk, {@code add_bos_token} and the chat
 * template; {@code chat_template.jinja}. Built from the GGUF's own fields rather than from
 * transformers' GGUF conversion, which mixes ByteFallback into a byte-level decoder and takes
 * the wrong end-of-sequence token.
 */
public final class GgufTokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final String GPT2_SPLIT =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** llama.cpp's pre-tokenizer names → the split regex transformers uses for that family, before ByteLevel. */
    private static final Map<String, String> SPLITS = Map.of(
            "llama-bpe", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            "qwen2", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private GgufTokenizer() {}

    public static void write(GgufFile f, Path outDir, int contextLength) throws IOException {
        String model = f.string("tokenizer.ggml.model");
        if (!"gpt2".equals(model)) {
            throw new IllegalArgumentException(f.path() + ": tokenizer.ggml.model '" + model
                    + "' is not supported (byte-level BPE, 'gpt2', is)");
        }
        List<String> tokens = strings(f, "tokenizer.ggml.tokens");
        List<String> merges = strings(f, "tokenizer.ggml.merges");
        List<Object> types = f.metadata().get("tokenizer.ggml.token_type") instanceof List<?> l ? List.copyOf(l) : List.of();
        String pre = f.string("tokenizer.ggml.pre");

        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < types.size(); id++) {
            long type = (Long) types.get(id);
            if (type == CONTROL || type == USER_DEFINED) {
                added.addObject().put("id", id).put("content", tokens.get(id)).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", type == USER_DEFINED)
                        .put("special", type == CONTROL);
            }
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", preTokenizer(f, pre));
        root.set("post_processor", byteLevel(true, false, false));
        root.set("decoder", byteLevel(true, true, true));
        ObjectNode bpe = root.putObject("model");
        bpe.put("type", "BPE");
        bpe.putNull("dropout");
        bpe.putNull("unk_token");
        bpe.put("continuing_subword_prefix", "");
        bpe.put("end_of_word_suffix", "");
        bpe.put("fuse_unk", false);
        bpe.put("byte_fallback", false);
        bpe.put("ignore_merges", pre != null && pre.equals("llama-bpe"));
        ObjectNode vocab = bpe.putObject("vocab");
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        ArrayNode mergeArray = bpe.putArray("merges");
        merges.forEach(mergeArray::add);

        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "GPT2Tokenizer");
        config.put("add_bos_token", f.metadata().get("tokenizer.ggml.add_bos_token") instanceof Boolean b && b);
        config.put("add_eos_token", f.metadata().get("tokenizer.ggml.add_eos_token") instanceof Boolean b && b);
        config.put("add_prefix_space", false);
        putToken(config, "bos_token", f, "tokenizer.ggml.bos_token_id", tokens);
        putToken(config, "eos_token", f, "tokenizer.ggml.eos_token_id", tokens);
        putToken(config, "unk_token", f, "tokenizer.ggml.unknown_token_id", tokens);
        putToken(config, "pad_token", f, "tokenizer.ggml.padding_token_id", tokens);
        config.put("clean_up_tokenization_spaces", false);
        config.put("model_max_length", contextLength);
        String template = f.string("tokenizer.chat_template");
        if (template != null) {
            config.put("chat_template", template);
        }

        Files.createDirectories(outDir);
        JSON.writeValue(outDir.resolve("tokenizer.json").toFile(), root);
        JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValue(outDir.resolve("tokenizer_config.json").toFile(), config);
        if (template != null) {
            Files.writeString(outDir.resolve("chat_template.jinja"), template);
        }
    }

    /** SmolLM's pre-tokenizer splits every digit first; Llama 3 and Qwen2 split with their own regex; GPT-2's is ByteLevel's own. */
    private static ObjectNode preTokenizer(GgufFile f, String pre) {
        if (pre == null || pre.equals("default") || pre.equals("gpt2")) {
            return byteLevel(false, true, true);
        }
        ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
        ArrayNode list = seq.putArray("pretokenizers");
        switch (pre) {
            case "smollm" -> {
                list.addObject().put("type", "Digits").put("individual_digits", true);
                list.add(byteLevel(false, true, true));
            }
            case "llama-bpe", "qwen2" -> {
                ObjectNode split = list.addObject().put("type", "Split");
                split.putObject("pattern").put("Regex", SPLITS.get(pre));
                split.put("behavior", "Isolated").put("invert", false);
                list.add(byteLevel(false, true, false));
            }
            default -> throw new IllegalArgumentException(f.path() + ": pre-tokenizer '" + pre
                    + "' is not supported (gpt2, smollm, llama-bpe, qwen2 are)");
        }
        return seq;
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) {
        return JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets).put("use_regex", useRegex);
    }

    private static void putToken(ObjectNode config, String field, GgufFile f, String key, List<String> tokens) {
        long id = f.integer(key, -1);
        if (id >= 0 && id < tokens.size()) {
            config.put(field, tokens.get((int) id));
        }
    }

    static List<String> strings(GgufFile f, String key) {
        if (!(f.metadata().get(key) instanceof List<?> list)) {
            throw new IllegalArgumentException(f.path() + ": metadata " + key + " is missing");
        }
        return list.stream().map(o -> (String) o).toList();
    }
}

package dev.ovserve.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Prompt and output lengths, and the feeder that turns them into request bodies.
 *
 * <p>Prompts are made of common English words that GPT-2's byte-level BPE encodes as one
 * token each (with their leading space), so a prompt of n words is n tokens exactly and the
 * server's reported {@code usage.prompt_tokens} can be checked. Words are drawn at random so
 * that, apart from a deliberate shared prefix, prompts share no cacheable prefix.
 */
record PromptMix(List<Entry> entries) {

    /** One kind of request: its prompt length, output length and relative weight. */
    record Entry(int promptTokens, int maxTokens, int weight) {}

    /** Words that are one GPT-2 token each when preceded by a space (checked by PromptMixTest). */
    static final List<String> WORDS = List.of(
            "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
            "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were",
            "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would",
            "who", "so", "no", "time", "people", "year", "way", "day", "man", "thing", "woman", "life", "child", "world",
            "school", "state", "family", "student", "group", "country", "problem", "hand", "part", "place", "case",
            "week", "company", "system", "program", "question", "work", "government", "number", "night", "point",
            "home", "water", "room", "mother", "area", "money", "story", "fact", "month", "lot", "right", "study",
            "book", "eye", "job", "word", "business", "issue", "side", "kind", "head", "house", "service", "friend");

    /** Parses {@code prompt:max[:weight],...}, e.g. {@code 128:128} or {@code 32:16:3,512:64:1}. */
    static PromptMix parse(String spec) {
        List<Entry> entries = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] f = part.strip().split(":");
            if (f.length < 2 || f.length > 3) {
                throw new IllegalArgumentException("mix entry \"" + part + "\" is not prompt:max[:weight]");
            }
            Entry e = new Entry(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f.length == 3 ? Integer.parseInt(f[2]) : 1);
            if (e.promptTokens() < 1 || e.maxTokens() < 1 || e.weight() < 1) {
                throw new IllegalArgumentException("mix entry \"" + part + "\" needs positive numbers");
            }
            entries.add(e);
        }
        return new PromptMix(List.copyOf(entries));
    }

    /**
     * An endless feeder: each record holds the prompt, its token count, the output length, whether
     * this user hangs up early, and ready JSON bodies for the four request kinds.
     */
    Iterator<Map<String, Object>> feeder(LoadSettings settings) {
        if (settings.sharedPrefix() > entries.stream().mapToInt(Entry::promptTokens).min().orElseThrow()) {
            throw new IllegalArgumentException("shared prefix " + settings.sharedPrefix() + " is longer than a prompt of the mix");
        }
        SplittableRandom random = new SplittableRandom(settings.seed());
        String prefix = words(random, settings.sharedPrefix());
        int totalWeight = entries.stream().mapToInt(Entry::weight).sum();
        ObjectMapper json = new ObjectMapper();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Map<String, Object> next() {
                Entry e = pick(random.nextInt(totalWeight));
                String prompt = prefix + words(random, e.promptTokens() - settings.sharedPrefix());
                Map<String, Object> record = new HashMap<>();
                record.put("promptTokens", e.promptTokens());
                record.put("maxTokens", e.maxTokens());
                record.put("disconnect", random.nextDouble() < settings.disconnectShare());
                record.put("completionBody", body(json, settings, e, false).put("prompt", prompt).toString());
                record.put("streamCompletionBody", body(json, settings, e, true).put("prompt", prompt).toString());
                record.put("chatBody", chat(json, settings, e, false, prompt));
                record.put("streamChatBody", chat(json, settings, e, true, prompt));
                return record;
            }
        };
    }

    private Entry pick(int ticket) {
        for (Entry e : entries) {
            ticket -= e.weight();
            if (ticket < 0) {
                return e;
            }
        }
        throw new IllegalStateException("ticket beyond the total weight");
    }

    static String words(SplittableRandom random, int count) {
        StringBuilder text = new StringBuilder(count * 6);
        for (int i = 0; i < count; i++) {
            text.append(' ').append(WORDS.get(random.nextInt(WORDS.size())));
        }
        return text.toString();
    }

    private static ObjectNode body(ObjectMapper json, LoadSettings settings, Entry e, boolean stream) {
        ObjectNode body = json.createObjectNode();
        body.put("model", settings.model()).put("max_tokens", e.maxTokens()).put("temperature", 0).put("stream", stream);
        ObjectNode bias = body.putObject("logit_bias");
        if (settings.eosToken() >= 0) {
            bias.put(Integer.toString(settings.eosToken()), -100);
        }
        settings.suppressTokens().forEach(id -> bias.put(Integer.toString(id), -100));
        if (bias.isEmpty()) {
            body.remove("logit_bias");
        }
        return body;
    }

    private static String chat(ObjectMapper json, LoadSettings settings, Entry e, boolean stream, String prompt) {
        ObjectNode body = body(json, settings, e, stream);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt.strip());
        return body.toString();
    }
}

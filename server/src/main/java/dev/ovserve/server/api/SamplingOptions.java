package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.scheduler.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sampling fields both endpoints share, parsed and already checked by building a
 * {@link SamplingParams} once (so a bad value is a 400 before any tokenizing). Each endpoint
 * brings its own {@code logprobs} (engine meaning: null none, else how many top alternatives) and
 * its own max-tokens rule.
 */
public record SamplingOptions(
        double temperature,
        double topP,
        int topK,
        double minP,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty,
        Map<Integer, Float> logitBias,
        Long seed,
        List<String> stop,
        Set<Integer> stopTokenIds,
        boolean ignoreEos,
        int n,
        Integer logprobs) {

    /** OpenAI's own upper bound for {@code n}. */
    public static final int MAX_N = 128;

    public SamplingOptions {
        logitBias = Map.copyOf(logitBias);
        stop = List.copyOf(stop);
        stopTokenIds = Set.copyOf(stopTokenIds);
    }

    /** The engine's parameters with {@code maxTokens} filled in (a 400 if it is below 1). */
    public SamplingParams toSamplingParams(int maxTokens) {
        try {
            return SamplingParams.builder()
                    .temperature(temperature)
                    .topP(topP)
                    .topK(topK)
                    .minP(minP)
                    .repetitionPenalty(repetitionPenalty)
                    .presencePenalty(presencePenalty)
                    .frequencyPenalty(frequencyPenalty)
                    .logitBias(logitBias)
                    .seed(seed)
                    .stop(stop)
                    .stopTokenIds(stopTokenIds)
                    .ignoreEos(ignoreEos)
                    .n(n)
                    .logprobs(logprobs)
                    .maxTokens(maxTokens)
                    .build();
        } catch (IllegalArgumentException e) {
            throw ApiException.fromSamplingParams(e);
        }
    }

    static SamplingOptions parse(Fields f, Integer logprobs) {
        Integer n = f.integer("n");
        if (n != null && (n < 1 || n > MAX_N)) {
            throw ApiException.invalidValue("n", "n must be between 1 and " + MAX_N + ", got " + n);
        }
        var options = new SamplingOptions(
                f.number("temperature", 1),
                f.number("top_p", 1),
                f.integer("top_k") == null ? 0 : f.integer("top_k"),
                f.number("min_p", 0),
                f.number("repetition_penalty", 1),
                f.number("presence_penalty", 0),
                f.number("frequency_penalty", 0),
                logitBias(f),
                f.int64("seed"),
                stop(f),
                stopTokenIds(f),
                f.bool("ignore_eos", false),
                n == null ? 1 : n,
                logprobs);
        options.toSamplingParams(1); // every range check, now
        return options;
    }

    /** OpenAI: a JSON object mapping token ids, written as strings, to a bias in [-100, 100]. */
    private static Map<Integer, Float> logitBias(Fields f) {
        ObjectNode bias = f.object("logit_bias");
        if (bias == null) {
            return Map.of();
        }
        var out = new HashMap<Integer, Float>();
        for (Map.Entry<String, JsonNode> e : bias.properties()) {
            int token = -1;
            try {
                token = Integer.parseInt(e.getKey());
            } catch (NumberFormatException notAnId) {
                // refused below
            }
            // Only the canonical spelling: "+5", "005" and "5" would otherwise silently collide.
            if (token < 0 || !Integer.toString(token).equals(e.getKey())) {
                throw ApiException.invalidValue("logit_bias", "logit_bias keys must be token ids written as decimal strings "
                        + "without sign or leading zeros, got \"" + ApiException.excerpt(e.getKey()) + "\"");
            }
            JsonNode value = e.getValue();
            if (!value.isNumber()) {
                throw ApiException.invalidType("logit_bias." + token, "a number", value);
            }
            out.put(token, value.floatValue());
        }
        return out;
    }

    /** A string or an array of strings. */
    private static List<String> stop(Fields f) {
        JsonNode stop = f.get("stop");
        if (stop == null) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.textValue());
        }
        if (!(stop instanceof ArrayNode array)) {
            throw ApiException.invalidType("stop", "a string or an array of strings", stop);
        }
        var out = new ArrayList<String>(array.size());
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isTextual()) {
                throw ApiException.invalidType("stop[" + i + "]", "a string", array.get(i));
            }
            out.add(array.get(i).textValue());
        }
        return out;
    }

    private static Set<Integer> stopTokenIds(Fields f) {
        ArrayNode ids = f.array("stop_token_ids");
        if (ids == null) {
            return Set.of();
        }
        var out = new LinkedHashSet<Integer>();
        for (int i = 0; i < ids.size(); i++) {
            out.add(Fields.toInt(ids.get(i), "stop_token_ids[" + i + "]"));
        }
        return out;
    }
}

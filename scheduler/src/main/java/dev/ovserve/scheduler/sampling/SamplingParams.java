package dev.ovserve.scheduler.sampling;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one request turns logits into tokens and when it stops. Immutable; every violation throws
 * an {@link IllegalArgumentException} whose message starts with the OpenAI/vLLM parameter name,
 * so the server can hand it to the client as is.
 *
 * @param temperature 0 means greedy (as in vLLM, so does anything below 1e-5); otherwise logits are
 *     divided by it before the draw
 * @param topP nucleus mass in (0, 1]; 1 is off
 * @param topK keep the k most likely tokens; 0 is off ({@code -1} is accepted and stored as 0)
 * @param minP drop tokens whose probability is below {@code minP} times the most likely one's; 0 is off
 * @param repetitionPenalty HF/vLLM: for every token seen in the prompt or the output, positive logits
 *     are divided by it and negative ones multiplied; 1 is off
 * @param presencePenalty OpenAI: subtracted once from the logit of every token already generated
 * @param frequencyPenalty OpenAI: subtracted from a token's logit once per time it was generated
 * @param logitBias token id → value added to its logit, in [-100, 100]
 * @param seed the sampler's random seed; null for a fresh random one
 * @param logprobs null for none; otherwise how many top (token, logprob) pairs to return with each
 *     token, 0..20 (0 = only the chosen token's logprob)
 * @param n completions per request
 * @param maxTokens generated tokens at most
 * @param stopTokenIds token ids that end a completion (not included in the output text)
 * @param ignoreEos keep generating past the model's EOS token
 * @param stop strings that end a completion; the text from the stop string on is not returned
 * @param constraint null for free text; otherwise only tokens it allows are sampled and the
 *     completion ends (finish reason stop) once it is complete (see {@link Sampler})
 */
public record SamplingParams(
        double temperature,
        double topP,
        int topK,
        double minP,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty,
        Map<Integer, Float> logitBias,
        Long seed,
        Integer logprobs,
        int n,
        int maxTokens,
        Set<Integer> stopTokenIds,
        boolean ignoreEos,
        List<String> stop,
        TokenConstraint constraint) {

    public static final int MAX_LOGPROBS = 20;
    public static final int MAX_STOP_STRINGS = 32;
    public static final double MAX_ABS_PENALTY = 2;
    public static final float MAX_ABS_LOGIT_BIAS = 100;
    /** OpenAI's default for the completions endpoint, used when the builder is not told. */
    public static final int DEFAULT_MAX_TOKENS = 16;

    /** Temperature 0, everything else at its default. */
    public static final SamplingParams GREEDY = builder().temperature(0).build();

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw invalid("temperature must be a finite number >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw invalid("top_p must be in (0, 1], got " + topP);
        }
        if (topK == -1) {
            topK = 0;
        }
        if (topK < 0) {
            throw invalid("top_k must be -1 or 0 (disabled) or at least 1, got " + topK);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw invalid("min_p must be in [0, 1], got " + minP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw invalid("repetition_penalty must be a finite number > 0, got " + repetitionPenalty);
        }
        if (!(Math.abs(presencePenalty) <= MAX_ABS_PENALTY)) {
            throw invalid("presence_penalty must be in [-2, 2], got " + presencePenalty);
        }
        if (!(Math.abs(frequencyPenalty) <= MAX_ABS_PENALTY)) {
            throw invalid("frequency_penalty must be in [-2, 2], got " + frequencyPenalty);
        }
        logitBias = checkLogitBias(logitBias);
        if (logprobs != null && (logprobs < 0 || logprobs > MAX_LOGPROBS)) {
            throw invalid("logprobs must be between 0 and " + MAX_LOGPROBS + ", got " + logprobs);
        }
        if (n < 1) {
            throw invalid("n must be at least 1, got " + n);
        }
        if (maxTokens < 1) {
            throw invalid("max_tokens must be at least 1, got " + maxTokens);
        }
        stopTokenIds = checkStopTokenIds(stopTokenIds);
        stop = checkStop(stop);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Below this temperature sampling is greedy (vLLM's epsilon); it also keeps 1/T finite. */
    public static final double GREEDY_BELOW_TEMPERATURE = 1e-5;

    public boolean greedy() {
        return temperature < GREEDY_BELOW_TEMPERATURE;
    }

    public boolean logprobsRequested() {
        return logprobs != null;
    }

    /** Whether the output is constrained (structured output, tool calls). */
    public boolean constrained() {
        return constraint != null;
    }

    /** Whether any logit processor (bias or penalty) changes the model's logits. */
    public boolean processesLogits() {
        return !logitBias.isEmpty() || repetitionPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0;
    }

    /**
     * Checks the token ids this request names against the model's vocabulary; call it when the
     * request is accepted so a bad id is the client's error, not a failure mid-generation.
     */
    public void checkVocabulary(int vocabSize) {
        for (int token : logitBias.keySet()) {
            if (token >= vocabSize) {
                throw invalid("logit_bias names token id " + token + ", outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        for (int token : stopTokenIds) {
            if (token >= vocabSize) {
                throw invalid("stop_token_ids names token id " + token + ", outside the vocabulary [0, " + vocabSize + ")");
            }
        }
    }

    private static Map<Integer, Float> checkLogitBias(Map<Integer, Float> bias) {
        if (bias == null) {
            return Map.of();
        }
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            if (e.getKey() == null || e.getKey() < 0) {
                throw invalid("logit_bias keys must be token ids >= 0, got " + e.getKey());
            }
            Float v = e.getValue();
            if (v == null || !(Math.abs(v) <= MAX_ABS_LOGIT_BIAS)) {
                throw invalid("logit_bias values must be in [-100, 100], got " + v + " for token " + e.getKey());
            }
        }
        return Map.copyOf(bias);
    }

    private static Set<Integer> checkStopTokenIds(Set<Integer> ids) {
        if (ids == null) {
            return Set.of();
        }
        for (Integer id : ids) {
            if (id == null || id < 0) {
                throw invalid("stop_token_ids must be token ids >= 0, got " + id);
            }
        }
        return Set.copyOf(ids);
    }

    private static List<String> checkStop(List<String> stop) {
        if (stop == null) {
            return List.of();
        }
        if (stop.size() > MAX_STOP_STRINGS) {
            throw invalid("stop allows at most " + MAX_STOP_STRINGS + " strings, got " + stop.size());
        }
        for (String s : stop) {
            StopStringMatcher.checkStopString(s);
        }
        return List.copyOf(stop);
    }

    static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException(message);
    }

    /** Mutable builder; defaults follow OpenAI/vLLM: temperature 1, everything off, n 1, max_tokens 16. */
    public static final class Builder {
        private double temperature = 1;
        private double topP = 1;
        private int topK;
        private double minP;
        private double repetitionPenalty = 1;
        private double presencePenalty;
        private double frequencyPenalty;
        private Map<Integer, Float> logitBias = Map.of();
        private Long seed;
        private Integer logprobs;
        private int n = 1;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private Set<Integer> stopTokenIds = Set.of();
        private boolean ignoreEos;
        private List<String> stop = List.of();
        private TokenConstraint constraint;

        private Builder() {}

        private Builder(SamplingParams p) {
            temperature = p.temperature;
            topP = p.topP;
            topK = p.topK;
            minP = p.minP;
            repetitionPenalty = p.repetitionPenalty;
            presencePenalty = p.presencePenalty;
            frequencyPenalty = p.frequencyPenalty;
            logitBias = p.logitBias;
            seed = p.seed;
            logprobs = p.logprobs;
            n = p.n;
            maxTokens = p.maxTokens;
            stopTokenIds = p.stopTokenIds;
            ignoreEos = p.ignoreEos;
            stop = p.stop;
            constraint = p.constraint;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder minP(double v) {
            minP = v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder presencePenalty(double v) {
            presencePenalty = v;
            return this;
        }

        public Builder frequencyPenalty(double v) {
            frequencyPenalty = v;
            return this;
        }

        /** Copied when built; null means none. */
        public Builder logitBias(Map<Integer, Float> v) {
            logitBias = v;
            return this;
        }

        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        public Builder logprobs(Integer v) {
            logprobs = v;
            return this;
        }

        public Builder n(int v) {
            n = v;
            return this;
        }

        public Builder maxTokens(int v) {
            maxTokens = v;
            return this;
        }

        /** Copied when built; null means none. */
        public Builder stopTokenIds(Set<Integer> v) {
            stopTokenIds = v;
            return this;
        }

        public Builder ignoreEos(boolean v) {
            ignoreEos = v;
            return this;
        }

        /** Copied when built; null means none. */
        public Builder stop(List<String> v) {
            stop = v;
            return this;
        }

        /** Null means free text. */
        public Builder constraint(TokenConstraint v) {
            constraint = v;
            return this;
        }

        public SamplingParams build() {
            return new SamplingParams(temperature, topP, topK, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                    logitBias, seed, logprobs, n, maxTokens, stopTokenIds, ignoreEos, stop, constraint);
        }
    }
}

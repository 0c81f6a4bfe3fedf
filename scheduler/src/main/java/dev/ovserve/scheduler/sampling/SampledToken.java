package dev.ovserve.scheduler.sampling;

import java.util.List;

/**
 * One sampling result.
 *
 * @param logprob the chosen token's log-probability under the raw model output, NaN when
 *     {@code logprobs} was not requested
 * @param topLogprobs the {@code logprobs} most likely tokens of the raw model output, most likely
 *     first (lowest id first on ties); empty when not requested or {@code logprobs == 0}
 */
public record SampledToken(int token, double logprob, List<TokenLogprob> topLogprobs) {
    public SampledToken {
        topLogprobs = List.copyOf(topLogprobs);
    }

    /** A token without log-probabilities. */
    public static SampledToken of(int token) {
        return new SampledToken(token, Double.NaN, List.of());
    }

    public boolean hasLogprob() {
        return !Double.isNaN(logprob);
    }
}

package dev.ovserve.scheduler.sampling;

import java.util.Set;

/**
 * Decides, after each sampled token, whether the completion ends. Checked in this order, the
 * first that applies wins:
 * <ol>
 *   <li>the token is an EOS id of the model (unless {@code ignore_eos}) → {@link FinishReason#STOP}
 *   <li>the token is one of {@code stop_token_ids} (also with {@code ignore_eos}) → STOP
 *   <li>the output has {@code max_tokens} tokens → {@link FinishReason#LENGTH}
 *   <li>prompt plus output fill the model's context ({@code max_model_len}) → LENGTH
 * </ol>
 * So a stop token sampled as the last allowed token reports "stop" (as vLLM v0 did; v1 checks
 * length first): the model did end its text.
 *
 * <p>A stop token (see {@link #isStopToken}) is not part of the completion's text nor of its
 * returned tokens, but it was generated, so it counts in {@code usage.completion_tokens} and
 * towards {@code max_tokens}, as in vLLM. With {@code ignore_eos} an EOS token is an ordinary
 * token and is returned. Stop strings are matched on the text, by {@link StopStringMatcher}.
 */
public final class TokenStopCheck {
    private TokenStopCheck() {}

    /**
     * @param token the token just sampled
     * @param outputLength generated tokens so far, including {@code token}
     * @param totalLength prompt plus generated tokens, including {@code token}
     * @return why the completion ends now, or null to go on
     */
    public static FinishReason check(int token, int outputLength, int totalLength, SamplingParams params,
            Set<Integer> eosTokenIds, int maxModelLen) {
        if (isStopToken(token, params, eosTokenIds)) {
            return FinishReason.STOP;
        }
        if (outputLength >= params.maxTokens() || totalLength >= maxModelLen) {
            return FinishReason.LENGTH;
        }
        return null;
    }

    /** Whether the token ends the completion and is left out of its output: EOS (unless ignored) or a stop token id. */
    public static boolean isStopToken(int token, SamplingParams params, Set<Integer> eosTokenIds) {
        return (!params.ignoreEos() && eosTokenIds.contains(token)) || params.stopTokenIds().contains(token);
    }
}

/**
 * Turning logits into tokens and deciding when a completion ends, for one sequence at a time.
 *
 * <ul>
 *   <li>{@link dev.ovserve.scheduler.sampling.SamplingParams}: the request's validated knobs.
 *   <li>{@link dev.ovserve.scheduler.sampling.Sampler}: one per sequence; logit_bias → repetition
 *       penalty → frequency/presence penalties → temperature → top-k → top-p → min-p → draw.
 *       Logprobs come from the raw logits (vLLM v1's default). With a constraint, disallowed
 *       tokens get -inf before anything else and the sampler owns the sequence's state.
 *   <li>{@link dev.ovserve.scheduler.sampling.TokenConstraint}/{@link dev.ovserve.scheduler.sampling.ConstraintState}:
 *       the seam to constrained decoding (structured output, tool calls); implemented elsewhere.
 *   <li>{@link dev.ovserve.scheduler.sampling.TokenHistory}: the counts the penalties need,
 *       updated per token.
 *   <li>{@link dev.ovserve.scheduler.sampling.TokenStopCheck}: EOS → stop_token_ids →
 *       max_tokens → context length, after every token; stop tokens are counted in usage but
 *       not returned.
 *   <li>{@link dev.ovserve.scheduler.sampling.StopStringMatcher}: stop strings on the streamed
 *       text, holding back only what could still become one.
 * </ul>
 */
package dev.ovserve.scheduler.sampling;

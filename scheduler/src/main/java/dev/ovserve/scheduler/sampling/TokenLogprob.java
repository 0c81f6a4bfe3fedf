package dev.ovserve.scheduler.sampling;

/** One (token, log-probability) pair of a {@code top_logprobs} list. */
public record TokenLogprob(int token, double logprob) {}

package dev.ovserve.scheduler.sampling;

/**
 * One sequence's position in a {@link TokenConstraint}. Owned by the sequence's sampler on the
 * engine thread; not thread-safe.
 *
 * <p>The mask is exact: a token is allowed if and only if some valid complete output starts with
 * the text so far followed by that token's bytes. End-of-sequence ids are allowed exactly when
 * the text so far is a complete match ({@link #canFinish()}).
 */
public interface ConstraintState {
    /**
     * Clears {@code allowed} and sets bit {@code t} (word {@code t >>> 6}, bit {@code t & 63}) for
     * every token {@code t} allowed next. The array holds at least {@code ceil(vocab / 64)} words.
     */
    void fillAllowed(long[] allowed);

    /** Consumes the token the sampler took; false, with the state unchanged, if it was not allowed. */
    boolean advance(int token);

    /** True when the output so far is complete, so end-of-sequence is allowed. */
    boolean canFinish();

    /** True when nothing but end-of-sequence can follow: generation should stop now. */
    boolean isComplete();

    /** An independent copy at the same position, for a forked sibling (n > 1). */
    ConstraintState copy();
}

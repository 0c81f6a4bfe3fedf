package dev.ovserve.scheduler.sampling;

/**
 * The tokens one sequence has seen, as the penalties need them: which tokens occur in the prompt
 * or the output (repetition penalty) and how often each was generated (presence and frequency
 * penalties). Updated incrementally with {@link #add}; each update is O(1).
 */
public final class TokenHistory {
    private final IntCounts seen;
    private final IntCounts generated;
    private int outputLength;

    private TokenHistory(IntCounts seen, IntCounts generated, int outputLength) {
        this.seen = seen;
        this.generated = generated;
        this.outputLength = outputLength;
    }

    public static TokenHistory ofPrompt(int[] prompt) {
        TokenHistory h = new TokenHistory(new IntCounts(prompt.length + 16), new IntCounts(16), 0);
        for (int token : prompt) {
            h.seen.increment(token);
        }
        return h;
    }

    public static TokenHistory empty() {
        return ofPrompt(new int[0]);
    }

    /** Records a generated token. */
    public void add(int token) {
        seen.increment(token);
        generated.increment(token);
        outputLength++;
    }

    /** An independent copy, for a sibling that continues from the same point. */
    public TokenHistory copy() {
        return new TokenHistory(seen.copy(), generated.copy(), outputLength);
    }

    /** Whether the token occurs in the prompt or the output. */
    public boolean seen(int token) {
        return seen.count(token) > 0;
    }

    /** How many times the token was generated (the prompt does not count). */
    public int generatedCount(int token) {
        return generated.count(token);
    }

    public int outputLength() {
        return outputLength;
    }

    /** Distinct tokens of prompt and output, for the repetition penalty. */
    IntCounts seenTokens() {
        return seen;
    }

    /** Distinct generated tokens with their counts, for presence and frequency penalties. */
    IntCounts generatedTokens() {
        return generated;
    }
}

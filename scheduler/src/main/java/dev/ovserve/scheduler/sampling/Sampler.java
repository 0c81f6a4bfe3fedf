package dev.ovserve.scheduler.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks one sequence's next token from a row of logits. One per sequence: it owns its random
 * stream, seeded from {@link SamplingParams#seed()}, so a seed decides the output whatever else
 * runs in the batch, and its scratch buffers, reused every step. Not thread-safe.
 *
 * <p>Order of processing, as in vLLM: logit_bias, repetition penalty (prompt and output tokens),
 * frequency and presence penalties (output tokens), then temperature. Greedy (temperature 0, or
 * top_k 1) takes the argmax of the processed logits, lowest id on ties, and draws no random
 * number. Otherwise top-k, then top-p over the top-k survivors' renormalized mass, then min-p,
 * then one draw.
 *
 * <p>Logprobs are vLLM v1's default ("raw"): the log-softmax of the model's logits before any
 * processing, so they do not depend on temperature, penalties, filters or a constraint's mask.
 *
 * <p>With a {@link SamplingParams#constraint() constraint} the sampler owns the sequence's
 * {@link ConstraintState}: before anything else, every token the state does not allow gets
 * -inf, then processing goes on as above; the chosen token advances the state. A sequence that
 * is preempted keeps its sampler and its tokens, and recomputing only rebuilds the KV cache, so
 * the state stays where the output is. {@link #constraintEnded()} tells the engine to stop.
 *
 * <p>Cost per call: greedy without processors is one pass over the caller's row. Anything else
 * copies the row once into a scratch buffer (the caller's array is never written); penalties
 * touch only the tokens in the {@link TokenHistory}; top-k keeps a bounded heap; top-p is a
 * quickselect by mass; nothing is sorted but the kept candidates. Scratch buffers are allocated
 * on first need and reused.
 */
public final class Sampler {
    /** Siblings' seeds step by the golden gamma, so request seed s, sibling i never equals seed s + i, sibling 0. */
    private static final long SIBLING_SEED_STEP = 0x9E3779B97F4A7C15L;
    /**
     * Tokens whose weight is below e^-40 of the best token's are given weight 0 without calling
     * exp: even all 50k of them together move the distribution by less than 1e-12.
     */
    private static final double NEGLIGIBLE_LOG_WEIGHT = -40;

    private final SamplingParams params;
    private final long seed;
    private final SplittableRandom random;
    private final int[] biasTokens;
    private final float[] biasValues;
    private final boolean greedy;
    /** Null without a constraint. */
    private final ConstraintState constraint;
    private long[] allowed = new long[0];
    /** The last token was an end token (EOS) the constraint allowed because its output was complete. */
    private boolean endTaken;
    private float[] row = new float[0];
    private int[] ids = new int[0];

    public Sampler(SamplingParams params) {
        this(params, params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong(),
                params.constraint() == null ? null : params.constraint().start());
    }

    private Sampler(SamplingParams params, long seed, ConstraintState constraint) {
        this.params = params;
        this.constraint = constraint;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.greedy = params.greedy() || params.topK() == 1;
        Map<Integer, Float> bias = params.logitBias();
        this.biasTokens = new int[bias.size()];
        this.biasValues = new float[bias.size()];
        int i = 0;
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            biasTokens[i] = e.getKey();
            biasValues[i++] = e.getValue();
        }
    }

    /**
     * The sampler of completion {@code index} of an n > 1 request, with a fresh random stream
     * derived from this one's seed: index 0 gets the seed itself, so n = 1 and the first of n agree.
     */
    public Sampler forSibling(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("sibling index must be >= 0, got " + index);
        }
        return new Sampler(params, seed + index * SIBLING_SEED_STEP, constraint == null ? null : constraint.copy());
    }

    /**
     * Whether the constraint, if any, ended the output with the last sampled token: its state is
     * complete (nothing but EOS could follow), or the token was an end token it allowed.
     */
    public boolean constraintEnded() {
        return constraint != null && (endTaken || constraint.isComplete());
    }

    /**
     * Whether the last sampled token was an end token (EOS) the constraint accepted as the end of
     * its output; like a stop token, it is not part of the completion.
     */
    public boolean endTokenTaken() {
        return endTaken;
    }

    public SamplingParams params() {
        return params;
    }

    /** The seed actually used (drawn at random when the request gave none), for reproducing a run. */
    public long seed() {
        return seed;
    }

    /**
     * Picks the next token from {@code logits[offset, offset + vocab)}, which stays unmodified.
     * Does not record the token: the caller adds it to {@code history}.
     */
    public SampledToken sample(float[] logits, int offset, int vocab, TokenHistory history) {
        Objects.checkFromIndexSize(offset, vocab, logits.length);
        if (vocab == 0) {
            throw new IllegalArgumentException("empty vocabulary");
        }
        Objects.requireNonNull(history, "history");
        int token = constraint == null ? choose(logits, offset, vocab, history) : chooseConstrained(logits, offset, vocab, history);
        return params.logprobs() == null ? SampledToken.of(token) : withLogprobs(token, logits, offset, vocab);
    }

    /** Index of the largest value in {@code logits[offset, offset + vocab)}, relative to offset; lowest on ties. */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY; // so a NaN never wins; an all -inf (or NaN) row gives 0
        for (int i = 0; i < vocab; i++) {
            float v = logits[offset + i];
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    private int choose(float[] logits, int offset, int vocab, TokenHistory history) {
        if (greedy && !params.processesLogits()) {
            return argmax(logits, offset, vocab);
        }
        float[] x = process(logits, offset, vocab, history);
        return greedy ? argmax(x, 0, vocab) : draw(x, vocab);
    }

    /** Masks, picks and advances the constraint state. */
    private int chooseConstrained(float[] logits, int offset, int vocab, TokenHistory history) {
        int words = (vocab + 63) >>> 6;
        if (allowed.length != words) {
            allowed = new long[words];
        }
        constraint.fillAllowed(allowed);
        int token;
        if (greedy && !params.processesLogits()) {
            token = maskedArgmax(logits, offset, vocab, allowed);
        } else {
            float[] x = process(logits, offset, vocab, history, allowed);
            token = greedy ? argmax(x, 0, vocab) : draw(x, vocab);
        }
        if (token >= 0 && (allowed[token >>> 6] & (1L << token)) == 0) {
            token = maskedArgmax(logits, offset, vocab, allowed); // a rounding edge landed on a weight-0 token
        }
        if (token < 0) {
            throw new IllegalStateException("the " + params.constraint().kind() + " constraint allows no token here");
        }
        endTaken = false;
        if (!constraint.advance(token)) {
            if (!constraint.canFinish()) {
                throw new IllegalStateException("the " + params.constraint().kind()
                        + " constraint refused token " + token + " it had allowed");
            }
            endTaken = true; // an allowed token the state does not consume is an end token: the output is complete
        }
        return token;
    }

    /** Argmax over the allowed tokens only (lowest id on ties); -1 when none is allowed. */
    static int maskedArgmax(float[] logits, int offset, int vocab, long[] allowed) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int w = 0; w < allowed.length; w++) {
            long bits = allowed[w];
            while (bits != 0) {
                int t = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (t >= vocab) {
                    break;
                }
                float v = logits[offset + t];
                if (best < 0 || v > bestValue) {
                    best = t;
                    bestValue = v;
                }
            }
        }
        return best;
    }

    float[] process(float[] logits, int offset, int vocab, TokenHistory history) {
        return process(logits, offset, vocab, history, null);
    }

    /**
     * Copies the row into the scratch buffer, sets every token {@code allowed} (when not null)
     * does not allow to -inf, and applies logit_bias, then the repetition penalty,
     * then frequency and presence penalties; returns the buffer (valid up to {@code vocab}).
     */
    float[] process(float[] logits, int offset, int vocab, TokenHistory history, long[] allowed) {
        if (row.length < vocab) {
            row = new float[vocab];
        }
        float[] x = row;
        System.arraycopy(logits, offset, x, 0, vocab);
        if (allowed != null) {
            for (int i = 0; i < vocab; i++) {
                if ((allowed[i >>> 6] & (1L << i)) == 0) {
                    x[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        for (int i = 0; i < biasTokens.length; i++) {
            int t = biasTokens[i];
            if (t >= vocab) {
                throw new IllegalArgumentException("logit_bias names token id " + t + ", outside the vocabulary [0, " + vocab + ")");
            }
            x[t] += biasValues[i];
        }
        float repetition = (float) params.repetitionPenalty();
        if (repetition != 1) {
            IntCounts seen = history.seenTokens();
            for (int i = 0; i < seen.size(); i++) {
                int t = seen.keyAt(i);
                if (t < vocab) {
                    x[t] = x[t] > 0 ? x[t] / repetition : x[t] * repetition;
                }
            }
        }
        double frequency = params.frequencyPenalty();
        double presence = params.presencePenalty();
        if (frequency != 0 || presence != 0) {
            IntCounts generated = history.generatedTokens();
            for (int i = 0; i < generated.size(); i++) {
                int t = generated.keyAt(i);
                if (t < vocab) {
                    x[t] = (float) (x[t] - frequency * generated.countAt(i) - presence);
                }
            }
        }
        return x;
    }

    /** Temperature sampling on processed logits {@code x}, which it overwrites with weights. */
    private int draw(float[] x, int vocab) {
        int k = params.topK();
        if (k > 0 && k < vocab) {
            return drawTopK(x, vocab, k);
        }
        float max = x[argmax(x, 0, vocab)];
        if (!(max > Float.NEGATIVE_INFINITY)) {
            return argmax(x, 0, vocab); // everything masked out: nothing to draw from
        }
        double invTemperature = 1 / params.temperature();
        float minP = (float) params.minP();
        double fullMass = 0;
        double keptMass = 0;
        for (int i = 0; i < vocab; i++) {
            float w = weight(x[i], max, invTemperature);
            fullMass += w;
            x[i] = w < minP ? 0 : w; // min-p: w is the probability relative to the best token's
            keptMass += x[i];
        }
        if (params.topP() < 1) {
            return drawNucleus(x, vocab, fullMass);
        }
        double u = random.nextDouble() * keptMass;
        int last = 0;
        for (int i = 0; i < vocab; i++) {
            if (x[i] > 0) {
                u -= x[i];
                last = i;
                if (u < 0) {
                    return i;
                }
            }
        }
        return last; // rounding
    }

    private int drawTopK(float[] x, int vocab, int k) {
        int[] top = ids(k);
        TopTokens.selectTop(x, 0, vocab, k, top);
        float max = x[top[0]];
        if (!(max > Float.NEGATIVE_INFINITY)) {
            return top[0];
        }
        double invTemperature = 1 / params.temperature();
        double mass = 0;
        for (int j = 0; j < k; j++) {
            float w = weight(x[top[j]], max, invTemperature);
            x[top[j]] = w;
            mass += w;
        }
        int kept = k;
        if (params.topP() < 1) {
            double need = params.topP() * mass;
            double prefix = 0;
            for (int j = 0; j < k; j++) {
                prefix += x[top[j]];
                if (prefix >= need) {
                    kept = j + 1;
                    break;
                }
            }
        }
        // Candidates are best first and the best weighs 1, so min-p trims a suffix.
        while (kept > 1 && x[top[kept - 1]] < (float) params.minP()) {
            kept--;
        }
        return drawAmong(x, top, kept);
    }

    /**
     * Top-p over weights {@code w} that min-p has already zeroed. The nucleus is still measured
     * against the full mass; as top-p and min-p each keep a best-first prefix, filtering in
     * either order keeps the shorter prefix, the documented top-p-then-min-p result.
     */
    private int drawNucleus(float[] w, int vocab, double fullMass) {
        int[] candidates = ids(vocab);
        int count = 0;
        for (int i = 0; i < vocab; i++) {
            if (w[i] > 0) {
                candidates[count++] = i;
            }
        }
        int kept = TopTokens.nucleus(w, candidates, count, params.topP() * fullMass);
        return drawAmong(w, candidates, kept);
    }

    private int drawAmong(float[] w, int[] candidates, int count) {
        double sum = 0;
        for (int j = 0; j < count; j++) {
            sum += w[candidates[j]];
        }
        double u = random.nextDouble() * sum;
        for (int j = 0; j < count; j++) {
            u -= w[candidates[j]];
            if (u < 0) {
                return candidates[j];
            }
        }
        return candidates[count - 1]; // rounding
    }

    /** exp((logit - max) / T), or 0 when negligible (also for NaN and -inf). */
    private static float weight(float logit, float max, double invTemperature) {
        double d = (logit - (double) max) * invTemperature;
        return d >= NEGLIGIBLE_LOG_WEIGHT ? (float) Math.exp(d) : 0f;
    }

    private SampledToken withLogprobs(int token, float[] logits, int offset, int vocab) {
        float max = logits[offset + argmax(logits, offset, vocab)];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            double d = logits[offset + i] - (double) max;
            if (d >= NEGLIGIBLE_LOG_WEIGHT) {
                sum += Math.exp(d);
            }
        }
        double logZ = max + Math.log(sum);
        double chosen = logits[offset + token] - logZ;
        int n = Math.min(params.logprobs(), vocab);
        if (n == 0) {
            return new SampledToken(token, chosen, List.of());
        }
        int[] top = new int[n];
        TopTokens.selectTop(logits, offset, vocab, n, top);
        List<TokenLogprob> list = new ArrayList<>(n);
        for (int t : top) {
            list.add(new TokenLogprob(t, logits[offset + t] - logZ));
        }
        return new SampledToken(token, chosen, list);
    }

    private int[] ids(int size) {
        if (ids.length < size) {
            ids = new int[size];
        }
        return ids;
    }
}

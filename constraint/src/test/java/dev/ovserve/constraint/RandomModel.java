package dev.ovserve.constraint;

import dev.ovserve.constraint.grammar.GrammarState;
import dev.ovserve.scheduler.sampling.ConstraintState;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A random-weight "model": fresh i.i.d. random logits over the whole vocabulary every step,
 * softmax at temperature 1.0 over the tokens the constraint allows, until it samples EOS. Past
 * {@code budget} tokens it stops sampling and writes the shortest completion (as a request's
 * max_tokens would otherwise cut the output off): it then takes, each step, the allowed one-byte
 * token that leaves the fewest bytes to the end.
 */
final class RandomModel {
    record Output(String text, int tokens, int sampledTokens, boolean steered) {}

    private final Vocabulary vocab;

    RandomModel(Vocabulary vocab) {
        this.vocab = vocab;
    }

    Output generate(TokenConstraint constraint, long seed, int budget) {
        SplittableRandom r = new SplittableRandom(seed);
        ConstraintState state = constraint.start();
        long[] mask = Tokenize.newMask(vocab);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int tokens = 0;
        int sampled = 0;
        boolean steered = false;
        while (true) {
            if (state.isComplete()) {
                break;
            }
            state.fillAllowed(mask);
            int pick;
            if (tokens < budget) {
                pick = sample(mask, r);
                sampled++;
            } else {
                steered = true;
                pick = shortest(state, mask);
            }
            if (pick < 0) {
                throw new AssertionError("no token allowed and the output is not complete: " + out.toString(StandardCharsets.UTF_8));
            }
            if (vocab.eosTokenIds().contains(pick)) {
                if (!state.advance(pick)) {
                    throw new AssertionError("EOS was allowed but advance refused it");
                }
                break;
            }
            if (!state.advance(pick)) {
                throw new AssertionError("token " + Tokenize.show(vocab, pick) + " was allowed but advance refused it after '"
                        + out.toString(StandardCharsets.UTF_8) + "'");
            }
            out.writeBytes(vocab.tokenBytes()[pick]);
            tokens++;
        }
        if (!state.canFinish()) {
            throw new AssertionError("stopped where EOS is not allowed: " + out.toString(StandardCharsets.UTF_8));
        }
        return new Output(out.toString(StandardCharsets.UTF_8), tokens, sampled, steered);
    }

    /**
     * Softmax at temperature 1 over i.i.d. random logits picks each allowed token with equal
     * probability (the logits are exchangeable), so the draw is made directly: uniform over the
     * allowed ids, without generating 50k logits per step.
     */
    private int sample(long[] mask, SplittableRandom r) {
        int count = 0;
        for (long w : mask) {
            count += Long.bitCount(w);
        }
        if (count == 0) {
            return -1;
        }
        int k = r.nextInt(count);
        for (int w = 0; w < mask.length; w++) {
            int c = Long.bitCount(mask[w]);
            if (k < c) {
                long bits = mask[w];
                for (int i = 0; i < k; i++) {
                    bits &= bits - 1;
                }
                return (w << 6) + Long.numberOfTrailingZeros(bits);
            }
            k -= c;
        }
        throw new AssertionError();
    }

    private int shortest(ConstraintState state, long[] mask) {
        for (int eos : vocab.eosTokenIds()) {
            if (Tokenize.allowed(mask, eos)) {
                return eos;
            }
        }
        int best = -1;
        long bestLeft = Long.MAX_VALUE;
        for (int id = 0; id < vocab.size(); id++) {
            byte[] b = vocab.tokenBytes()[id];
            if (b == null || b.length != 1 || !Tokenize.allowed(mask, id)) {
                continue;
            }
            GrammarState copy = (GrammarState) state.copy();
            if (copy.advance(id) && copy.minCompletionBytes() < bestLeft) {
                bestLeft = copy.minCompletionBytes();
                best = id;
            }
        }
        return best;
    }
}

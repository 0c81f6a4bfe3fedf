package dev.ovserve.scheduler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sampler with a constraint: the mask comes first, in every path, and drives the ending. */
class ConstrainedSamplerTest {
    static final int VOCAB = 150; // three mask words, the last one partial
    static final int EOS = 149;
    /** Choices whose tokens straddle mask words; one is a prefix of another. */
    static final TokenChoiceConstraint CHOICES = new TokenChoiceConstraint(
            List.of(new int[] {3, 70, 140}, new int[] {3, 70}, new int[] {64, 5}), Set.of(EOS));

    static float[] randomRow(Random r) {
        float[] row = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            row[i] = (float) (r.nextGaussian() * 3);
        }
        return row;
    }

    /** Runs one sequence to its end; returns the tokens that form the output (an end token excluded). */
    static int[] run(Sampler s, Random r) {
        List<Integer> out = new ArrayList<>();
        TokenHistory h = TokenHistory.empty();
        for (int step = 0; step < 10; step++) {
            int t = s.sample(randomRow(r), 0, VOCAB, h).token();
            h.add(t);
            if (s.endTokenTaken()) {
                assertEquals(EOS, t);
                break;
            }
            out.add(t);
            if (s.constraintEnded()) {
                break;
            }
        }
        assertTrue(s.constraintEnded(), "every run ends by the constraint");
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void everyPathOnlyProducesAllowedOutputs() {
        List<SamplingParams> paths = List.of(
                SamplingParams.GREEDY,
                SamplingParams.builder().temperature(0).repetitionPenalty(1.3).build(),
                SamplingParams.builder().temperature(1.0).build(),
                SamplingParams.builder().temperature(2.0).topK(5).build(),
                SamplingParams.builder().temperature(1.0).topP(0.3).build(),
                SamplingParams.builder().temperature(1.0).minP(0.5).frequencyPenalty(2).build(),
                // a huge bias on a forbidden token must not get it through the mask
                SamplingParams.builder().temperature(1.0).logitBias(Map.of(7, 100f, 71, 100f)).build());
        Random r = new Random(1);
        for (SamplingParams base : paths) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                SamplingParams p = base.toBuilder().constraint(CHOICES).seed((long) i).build();
                int[] out = run(new Sampler(p), r);
                assertTrue(CHOICES.matchesAChoice(out), base + " produced " + java.util.Arrays.toString(out));
                seen.add(java.util.Arrays.toString(out));
            }
            if (!base.greedy()) {
                assertEquals(3, seen.size(), "sampling reaches every choice: " + seen);
            }
        }
    }

    @Test
    void greedyTakesTheBestAllowedToken() {
        float[] row = new float[VOCAB];
        row[10] = 50; // best overall but not allowed
        row[64] = 2;
        row[3] = 1;
        Sampler s = new Sampler(SamplingParams.GREEDY.toBuilder().constraint(CHOICES).build());
        assertEquals(64, s.sample(row, 0, VOCAB, TokenHistory.empty()).token());
        assertFalse(s.constraintEnded());
        assertEquals(5, s.sample(row, 0, VOCAB, TokenHistory.empty()).token(), "only 5 continues [64]");
        assertTrue(s.constraintEnded(), "[64, 5] can only end");
        assertFalse(s.endTokenTaken(), "it ended on an output token, not EOS");
    }

    @Test
    void endTokenIsAllowedExactlyWhenTheOutputCanFinish() {
        float[] row = new float[VOCAB];
        row[EOS] = 50;
        row[3] = 1;
        row[70] = 1;
        row[140] = 1;
        Sampler s = new Sampler(SamplingParams.GREEDY.toBuilder().constraint(CHOICES).build());
        assertEquals(3, s.sample(row, 0, VOCAB, TokenHistory.empty()).token(), "EOS is not allowed at the start");
        assertEquals(70, s.sample(row, 0, VOCAB, TokenHistory.empty()).token());
        assertFalse(s.constraintEnded(), "[3, 70] is complete but may go on");
        assertEquals(EOS, s.sample(row, 0, VOCAB, TokenHistory.empty()).token(), "now EOS is allowed and best");
        assertTrue(s.endTokenTaken());
        assertTrue(s.constraintEnded());
    }

    @Test
    void logprobsStayRawUnderTheMask() {
        Random r = new Random(4);
        float[] row = randomRow(r);
        SamplingParams plain = SamplingParams.builder().temperature(0).logprobs(3).build();
        SampledToken free = new Sampler(plain).sample(row, 0, VOCAB, TokenHistory.empty());
        SampledToken masked = new Sampler(plain.toBuilder().constraint(CHOICES).build()).sample(row, 0, VOCAB, TokenHistory.empty());
        assertTrue(masked.token() == 3 || masked.token() == 64);
        assertEquals(free.topLogprobs(), masked.topLogprobs(), "top logprobs are the model's, not the mask's");
        SampledToken forced = new Sampler(plain.toBuilder().temperature(0).build()).sample(row, 0, VOCAB, TokenHistory.empty());
        assertEquals(free.logprob(), forced.logprob());
    }

    @Test
    void siblingsCopyTheStateAndGoTheirOwnWay() {
        SamplingParams p = SamplingParams.builder().temperature(1).seed(9L).constraint(CHOICES).build();
        Sampler parent = new Sampler(p);
        float[] row = new float[VOCAB];
        row[3] = 10; // parent takes 3
        assertEquals(3, parent.sample(row, 0, VOCAB, TokenHistory.empty()).token());
        Sampler child = parent.forSibling(1);
        float[] flat = new float[VOCAB];
        assertEquals(70, child.sample(flat, 0, VOCAB, TokenHistory.empty()).token(), "the child continues from [3]");
        // the child's progress does not move the parent
        assertEquals(70, parent.sample(flat, 0, VOCAB, TokenHistory.empty()).token());
        float[] towards140 = new float[VOCAB];
        towards140[140] = 30; // against EOS, the other allowed token
        assertEquals(140, child.sample(towards140, 0, VOCAB, TokenHistory.empty()).token());
        assertTrue(child.constraintEnded());
        assertFalse(parent.constraintEnded());
    }

    @Test
    void aConstraintThatAllowsNothingFailsLoudly() {
        TokenConstraint none = new TokenChoiceConstraint(List.of(), Set.of());
        Sampler s = new Sampler(SamplingParams.GREEDY.toBuilder().constraint(none).build());
        assertThrows(IllegalStateException.class, () -> s.sample(new float[VOCAB], 0, VOCAB, TokenHistory.empty()));
        Sampler t = new Sampler(SamplingParams.builder().temperature(1).constraint(none).build());
        assertThrows(IllegalStateException.class, () -> t.sample(new float[VOCAB], 0, VOCAB, TokenHistory.empty()));
    }

    @Test
    void withoutAConstraintNothingEnds() {
        Sampler s = new Sampler(SamplingParams.GREEDY);
        s.sample(new float[VOCAB], 0, VOCAB, TokenHistory.empty());
        assertFalse(s.constraintEnded());
        assertFalse(s.endTokenTaken());
    }
}

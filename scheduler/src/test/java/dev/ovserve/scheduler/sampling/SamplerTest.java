package dev.ovserve.scheduler.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SamplerTest {
    /** Probabilities at T=1: .459 .278 .169 .062 .023 .008 for tokens 0..5. */
    private static final float[] SIX = {3.0f, 2.5f, 2.0f, 1.0f, 0.0f, -1.0f};
    private static final int DRAWS = 100_000;

    // ---- greedy ----

    @Test
    void greedyIsArgmaxWithTiesToTheLowestId() {
        float[] logits = {9f, 0.5f, 2.0f, -1f, 2.0f, 1.0f};
        Sampler s = new Sampler(SamplingParams.GREEDY);
        assertEquals(1, s.sample(logits, 1, 5, TokenHistory.empty()).token(), "row starts at the offset; 2.0 at ids 1 and 3");
        assertEquals(2, Sampler.argmax(new float[] {9f, 0f, 1f, 5f}, 1, 3), "index is relative to the offset");
        assertEquals(0, Sampler.argmax(new float[] {Float.NaN, 1f, 3f}, 1, 1));
        assertEquals(2, Sampler.argmax(new float[] {Float.NaN, 1f, 3f}, 0, 3), "NaN never wins");
    }

    @Test
    void greedyDrawsNoRandomNumbersAndTopK1IsGreedy() {
        Random r = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            float[] logits = new float[50];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = r.nextInt(8); // many ties
            }
            int expected = Sampler.argmax(logits, 0, logits.length);
            Sampler topK1 = new Sampler(SamplingParams.builder().temperature(1.5).topK(1).seed((long) trial).build());
            for (int i = 0; i < 5; i++) {
                assertEquals(expected, topK1.sample(logits, 0, logits.length, TokenHistory.empty()).token());
            }
            assertEquals(expected, new Sampler(SamplingParams.GREEDY).sample(logits, 0, logits.length, TokenHistory.empty()).token());
        }
    }

    // ---- processors, against hand-computed values ----

    private static final float[] ROW = {2.0f, -1.0f, 0.5f, -0.5f, 3.0f};

    /** Prompt {0, 1}; output 2, 2, 3. */
    private static TokenHistory history() {
        TokenHistory h = TokenHistory.ofPrompt(new int[] {0, 1, 0});
        h.add(2);
        h.add(2);
        h.add(3);
        return h;
    }

    private static float[] processed(SamplingParams p, TokenHistory h) {
        float[] padded = new float[ROW.length + 3];
        System.arraycopy(ROW, 0, padded, 2, ROW.length);
        return Arrays.copyOf(new Sampler(p).process(padded, 2, ROW.length, h), ROW.length);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfPromptAndOutputTokens() {
        float[] x = processed(SamplingParams.builder().repetitionPenalty(2.0).build(), history());
        assertArrayEquals(new float[] {1.0f, -2.0f, 0.25f, -1.0f, 3.0f}, x, 1e-6f);
        float[] y = processed(SamplingParams.builder().repetitionPenalty(0.5).build(), history());
        assertArrayEquals(new float[] {4.0f, -0.5f, 1.0f, -0.25f, 3.0f}, y, 1e-6f, "a penalty below 1 rewards repeats");
    }

    @Test
    void presencePenaltyCountsOnceFrequencyPenaltyPerOccurrenceOutputOnly() {
        float[] presence = processed(SamplingParams.builder().presencePenalty(0.5).build(), history());
        assertArrayEquals(new float[] {2.0f, -1.0f, 0.0f, -1.0f, 3.0f}, presence, 1e-6f);
        float[] frequency = processed(SamplingParams.builder().frequencyPenalty(0.5).build(), history());
        assertArrayEquals(new float[] {2.0f, -1.0f, -0.5f, -1.0f, 3.0f}, frequency, 1e-6f);
        float[] both = processed(SamplingParams.builder().frequencyPenalty(-0.5).presencePenalty(0.25).build(), history());
        assertArrayEquals(new float[] {2.0f, -1.0f, 1.25f, -0.25f, 3.0f}, both, 1e-6f);
    }

    @Test
    void processorsApplyInOrderBiasThenRepetitionThenFrequencyAndPresence() {
        TokenHistory h = TokenHistory.ofPrompt(new int[] {4});
        h.add(2);
        h.add(2);
        SamplingParams p = SamplingParams.builder().logitBias(Map.of(4, -4f, 1, 1.5f)).repetitionPenalty(2.0)
                .frequencyPenalty(0.5).presencePenalty(0.25).build();
        float[] x = processed(p, h);
        // token 4: (3 - 4) * 2 = -2 (penalty before bias would give 3/2 - 4 = -2.5)
        // token 2: 0.5 / 2 - 0.5 * 2 - 0.25 = -1.0 (frequency before repetition would give -1.5)
        // token 1: -1 + 1.5 = 0.5, not seen
        assertArrayEquals(new float[] {2.0f, 0.5f, -1.0f, -0.5f, -2.0f}, x, 1e-6f);
        assertEquals(0, new Sampler(p.toBuilder().temperature(0).build()).sample(ROW, 0, ROW.length, h).token());
    }

    @Test
    void penaltiesChangeTheGreedyChoice() {
        TokenHistory h = TokenHistory.ofPrompt(new int[] {4});
        SamplingParams rep = SamplingParams.builder().temperature(0).repetitionPenalty(2.0).build();
        assertEquals(0, new Sampler(rep).sample(ROW, 0, ROW.length, h).token(), "3.0 / 2 < 2.0");
        h.add(0);
        SamplingParams freq = SamplingParams.builder().temperature(0).frequencyPenalty(2).build();
        assertEquals(4, new Sampler(freq).sample(ROW, 0, ROW.length, h).token(), "prompt token 4 is not penalised");
        SamplingParams none = SamplingParams.GREEDY;
        assertEquals(4, new Sampler(none).sample(ROW, 0, ROW.length, h).token());
    }

    @Test
    void logitBiasMakesATokenCertainOrImpossible() {
        float[] logits = {5f, 1f, 0f};
        SamplingParams certain = SamplingParams.builder().logitBias(Map.of(2, 100f)).seed(1L).build();
        int[] counts = counts(new Sampler(certain), logits, 20_000);
        assertEquals(20_000, counts[2]);
        SamplingParams impossible = SamplingParams.builder().logitBias(Map.of(0, -100f)).seed(1L).build();
        counts = counts(new Sampler(impossible), logits, 20_000);
        assertEquals(0, counts[0]);
        assertTrue(counts[1] > 0 && counts[2] > 0);
        assertEquals(1, new Sampler(impossible.toBuilder().temperature(0).build()).sample(logits, 0, 3, TokenHistory.empty()).token());
        SamplingParams outside = SamplingParams.builder().logitBias(Map.of(3, 1f)).build();
        assertThrows(IllegalArgumentException.class, () -> new Sampler(outside).sample(logits, 0, 3, TokenHistory.empty()));
    }

    // ---- filters: exactly the expected candidates, with the renormalised frequencies ----

    @Test
    void topKKeepsTheKBestWithTiesToTheLowestId() {
        assertDrawsFollow(SamplingParams.builder().topK(2), SIX, 1.0, Set.of(0, 1));
        assertDrawsFollow(SamplingParams.builder().topK(3).temperature(0.5), SIX, 0.5, Set.of(0, 1, 2));
        float[] ties = {1f, 2f, 2f, 2f, 0f};
        assertEquals(Set.of(1, 2), seen(new Sampler(SamplingParams.builder().topK(2).seed(4L).build()), ties, 5_000));
    }

    @Test
    void topPKeepsTheSmallestSetReachingTheMass() {
        assertDrawsFollow(SamplingParams.builder().topP(0.7), SIX, 1.0, Set.of(0, 1)); // .459 < .7 <= .737
        assertDrawsFollow(SamplingParams.builder().topP(0.8), SIX, 1.0, Set.of(0, 1, 2)); // .737 < .8 <= .906
        assertDrawsFollow(SamplingParams.builder().topP(0.4), SIX, 1.0, Set.of(0));
        // T=2 flattens: p = .321 .250 .195 .118 .072 .044; .767 < .8 <= .885
        assertDrawsFollow(SamplingParams.builder().topP(0.8).temperature(2), SIX, 2.0, Set.of(0, 1, 2, 3));
    }

    @Test
    void minPKeepsTokensWithinTheRatioOfTheBestAfterTemperature() {
        // ratio to the best at T=1: 1, .607, .368, .135, .050, .018
        assertDrawsFollow(SamplingParams.builder().minP(0.3), SIX, 1.0, Set.of(0, 1, 2));
        assertDrawsFollow(SamplingParams.builder().minP(0.1), SIX, 1.0, Set.of(0, 1, 2, 3));
        // T=2: 1, .779, .607, .368, .223, .135
        assertDrawsFollow(SamplingParams.builder().minP(0.3).temperature(2), SIX, 2.0, Set.of(0, 1, 2, 3));
        assertDrawsFollow(SamplingParams.builder().minP(1), SIX, 1.0, Set.of(0));
    }

    @Test
    void filtersComposeTopKThenTopPOnTheRenormalisedMassThenMinP() {
        // top-3 renormalised: .507 .307 .186: top_p .8 stops after two (on the full mass it keeps three)
        assertDrawsFollow(SamplingParams.builder().topK(3).topP(0.8), SIX, 1.0, Set.of(0, 1));
        assertDrawsFollow(SamplingParams.builder().topK(5).minP(0.3), SIX, 1.0, Set.of(0, 1, 2));
        assertDrawsFollow(SamplingParams.builder().topK(5).topP(0.95).minP(0.2), SIX, 1.0, Set.of(0, 1, 2));
        // without top-k: the shorter of the two prefixes wins, whichever filter makes it
        assertDrawsFollow(SamplingParams.builder().topP(0.95).minP(0.1), SIX, 1.0, Set.of(0, 1, 2, 3));
        assertDrawsFollow(SamplingParams.builder().topP(0.95).minP(0.2), SIX, 1.0, Set.of(0, 1, 2));
        assertDrawsFollow(SamplingParams.builder().topP(0.7).minP(0.2), SIX, 1.0, Set.of(0, 1));
        // top_p is measured on the full mass, not on what min-p leaves: .737 < .75 keeps token 2 (.75 of min-p's .907 would not)
        assertDrawsFollow(SamplingParams.builder().topP(0.75).minP(0.3), SIX, 1.0, Set.of(0, 1, 2));
    }

    @Test
    void topPOverALargeShuffledVocabularyKeepsExactlyTheNucleus() {
        Random r = new Random(11);
        int vocab = 2000;
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (r.nextGaussian() * 3);
        }
        for (double topP : new double[] {0.2, 0.5, 0.9}) {
            Set<Integer> nucleus = bruteForceNucleus(logits, topP);
            Sampler s = new Sampler(SamplingParams.builder().topP(topP).seed(5L).build());
            int[] counts = counts(s, logits, 20_000);
            for (int i = 0; i < vocab; i++) {
                if (counts[i] > 0) {
                    assertTrue(nucleus.contains(i), "token " + i + " is outside the top_p " + topP + " nucleus");
                }
            }
            int best = Sampler.argmax(logits, 0, vocab);
            double expectedBest = probabilities(logits, 1.0, nucleus)[best];
            assertEquals(expectedBest, counts[best] / 20_000.0, 5 * Math.sqrt(expectedBest / 20_000) + 1e-3);
        }
    }

    // ---- temperature ----

    @Test
    void frequenciesFollowTheTemperedSoftmax() {
        Set<Integer> all = Set.of(0, 1, 2, 3, 4, 5);
        assertDrawsFollow(SamplingParams.builder().temperature(1.0), SIX, 1.0, all);
        assertDrawsFollow(SamplingParams.builder().temperature(0.5), SIX, 0.5, all);
        assertDrawsFollow(SamplingParams.builder().temperature(2.0), SIX, 2.0, all);
    }

    // ---- seeds ----

    @Test
    void sameSeedSameSequenceDifferentSeedDifferentSequence() {
        SamplingParams p = SamplingParams.builder().seed(42L).build();
        int[] a = sequence(new Sampler(p), 200);
        assertArrayEquals(a, sequence(new Sampler(p), 200));
        assertNotEquals(Arrays.toString(a), Arrays.toString(sequence(new Sampler(p.toBuilder().seed(43L).build()), 200)));
        assertEquals(42L, new Sampler(p).seed());
    }

    @Test
    void outputDoesNotDependOnWhatElseRuns() {
        SamplingParams p = SamplingParams.builder().seed(7L).topP(0.9).build();
        int[] alone = sequence(new Sampler(p), 100);
        Sampler a = new Sampler(p);
        Sampler b = new Sampler(SamplingParams.builder().seed(7L).build());
        int[] interleaved = new int[100];
        for (int i = 0; i < 100; i++) {
            b.sample(SIX, 0, SIX.length, TokenHistory.empty());
            interleaved[i] = a.sample(SIX, 0, SIX.length, TokenHistory.empty()).token();
            b.sample(SIX, 0, SIX.length, TokenHistory.empty());
        }
        assertArrayEquals(alone, interleaved);
    }

    @Test
    void siblingsAreDeterministicAndDistinct() {
        SamplingParams p = SamplingParams.builder().seed(5L).build();
        Sampler parent = new Sampler(p);
        sequence(parent, 10); // a used parent still forks fresh streams
        assertArrayEquals(sequence(new Sampler(p), 100), sequence(parent.forSibling(0), 100), "sibling 0 is the request's own stream");
        int[] one = sequence(parent.forSibling(1), 100);
        assertArrayEquals(one, sequence(new Sampler(p).forSibling(1), 100));
        assertNotEquals(Arrays.toString(one), Arrays.toString(sequence(parent.forSibling(2), 100)));
        assertNotEquals(Arrays.toString(one), Arrays.toString(sequence(new Sampler(p.toBuilder().seed(6L).build()), 100)),
                "seed s sibling 1 is not seed s+1");
        assertThrows(IllegalArgumentException.class, () -> parent.forSibling(-1));

        Sampler unseeded = new Sampler(SamplingParams.builder().build());
        Sampler replay = new Sampler(SamplingParams.builder().seed(unseeded.seed()).build());
        assertArrayEquals(sequence(unseeded.forSibling(3), 50), sequence(replay.forSibling(3), 50));
        assertNotEquals(unseeded.seed(), new Sampler(SamplingParams.builder().build()).seed());
    }

    // ---- logprobs ----

    @Test
    void logprobsAreTheRawLogSoftmaxWithTopNSortedDescending() {
        Random r = new Random(2);
        int vocab = 300;
        float[] logits = new float[vocab + 10];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (r.nextGaussian() * 4);
        }
        logits[5 + 17] = logits[5 + 250] = 20f; // a tie at the top: lower id first
        double[] expected = logSoftmax(logits, 5, vocab);
        TokenHistory h = TokenHistory.ofPrompt(new int[] {17, 3});
        SamplingParams p = SamplingParams.builder().temperature(0.6).topK(50).repetitionPenalty(1.3).presencePenalty(1)
                .logitBias(Map.of(9, 5f)).logprobs(5).seed(1L).build();
        Sampler s = new Sampler(p);
        for (int step = 0; step < 20; step++) {
            SampledToken t = s.sample(logits, 5, vocab, h);
            assertEquals(expected[t.token()], t.logprob(), 1e-9, "the chosen token's logprob ignores processing");
            List<TokenLogprob> top = t.topLogprobs();
            assertEquals(5, top.size());
            assertEquals(17, top.get(0).token());
            assertEquals(250, top.get(1).token());
            Integer[] order = new Integer[vocab];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> expected[a] != expected[b] ? Double.compare(expected[b], expected[a]) : a - b);
            for (int i = 0; i < 5; i++) {
                assertEquals(order[i], top.get(i).token());
                assertEquals(expected[order[i]], top.get(i).logprob(), 1e-9);
            }
            h.add(t.token());
        }
        SampledToken chosenOnly = new Sampler(p.toBuilder().logprobs(0).build()).sample(logits, 5, vocab, h);
        assertEquals(expected[chosenOnly.token()], chosenOnly.logprob(), 1e-9);
        assertTrue(chosenOnly.topLogprobs().isEmpty());
        SampledToken none = new Sampler(p.toBuilder().logprobs(null).build()).sample(logits, 5, vocab, h);
        assertTrue(Double.isNaN(none.logprob()) && none.topLogprobs().isEmpty());
        SampledToken greedy = new Sampler(SamplingParams.builder().temperature(0).logprobs(20).build()).sample(logits, 5, vocab, h);
        assertEquals(17, greedy.token());
        assertEquals(expected[17], greedy.logprob(), 1e-9);
        assertEquals(20, greedy.topLogprobs().size());
    }

    // ---- the caller's row ----

    @Test
    void theCallersLogitsAreNeverModified() {
        Random r = new Random(8);
        float[] logits = new float[1000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) r.nextGaussian();
        }
        float[] before = logits.clone();
        TokenHistory h = TokenHistory.ofPrompt(new int[] {1, 2, 3});
        h.add(4);
        List<SamplingParams> all = List.of(SamplingParams.GREEDY,
                SamplingParams.builder().temperature(0).repetitionPenalty(1.2).logitBias(Map.of(7, 3f)).build(),
                SamplingParams.builder().build(),
                SamplingParams.builder().topK(20).topP(0.9).minP(0.1).build(),
                SamplingParams.builder().topP(0.5).frequencyPenalty(1).build(),
                SamplingParams.builder().minP(0.2).presencePenalty(-1).logprobs(3).build());
        for (SamplingParams p : all) {
            Sampler s = new Sampler(p);
            for (int i = 0; i < 20; i++) {
                s.sample(logits, 100, 800, h);
            }
            assertArrayEquals(before, logits, p.toString());
        }
    }

    @Test
    void rejectsARowOutsideTheArray() {
        Sampler s = new Sampler(SamplingParams.GREEDY);
        assertThrows(IndexOutOfBoundsException.class, () -> s.sample(new float[10], 5, 6, TokenHistory.empty()));
        assertThrows(IllegalArgumentException.class, () -> s.sample(new float[10], 0, 0, TokenHistory.empty()));
    }

    @Test
    void fullyMaskedRowsStillYieldAToken() {
        float[] masked = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (SamplingParams p : List.of(SamplingParams.builder().build(), SamplingParams.builder().topP(0.5).build(),
                SamplingParams.builder().topK(2).build())) {
            assertEquals(0, new Sampler(p).sample(masked, 0, 3, TokenHistory.empty()).token());
        }
        float[] one = {Float.NEGATIVE_INFINITY, 1f, Float.NEGATIVE_INFINITY};
        assertEquals(Set.of(1), seen(new Sampler(SamplingParams.builder().topP(0.3).seed(1L).build()), one, 100));
    }

    @Test
    void aFullSizeRowIsSampledWithoutAllocatingPerVocabulary() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        int vocab = 50257;
        Random r = new Random(1);
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (r.nextGaussian() * 3);
        }
        TokenHistory h = TokenHistory.ofPrompt(new int[] {1, 2, 3});
        for (SamplingParams p : List.of(SamplingParams.GREEDY, SamplingParams.builder().topP(0.9).repetitionPenalty(1.1).build(),
                SamplingParams.builder().topK(50).build())) {
            Sampler s = new Sampler(p);
            for (int i = 0; i < 20; i++) {
                s.sample(logits, 0, vocab, h); // scratch buffers are allocated once, here
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            int calls = 50;
            for (int i = 0; i < calls; i++) {
                s.sample(logits, 0, vocab, h);
            }
            long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / calls;
            // A copy of the row would be 200 kB; the SampledToken itself is a few dozen bytes.
            assertTrue(perCall < 1024, p + " allocated " + perCall + " bytes per call");
        }
    }

    // ---- helpers ----

    /** Draws DRAWS tokens and checks the support is exactly {@code kept} and frequencies follow softmax(l/T) over it. */
    private static void assertDrawsFollow(SamplingParams.Builder b, float[] logits, double temperature, Set<Integer> kept) {
        SamplingParams p = b.seed(1234L).build();
        int[] counts = counts(new Sampler(p), logits, DRAWS);
        double[] expected = probabilities(logits, temperature, kept);
        for (int i = 0; i < logits.length; i++) {
            String what = p + ": token " + i;
            if (!kept.contains(i)) {
                assertEquals(0, counts[i], what + " must be filtered out");
                continue;
            }
            assertTrue(counts[i] > 0, what + " must be kept");
            double sigma = Math.sqrt(expected[i] * (1 - expected[i]) / DRAWS);
            assertEquals(expected[i], counts[i] / (double) DRAWS, 5 * sigma + 1e-4, what);
        }
    }

    private static double[] probabilities(float[] logits, double temperature, Set<Integer> kept) {
        double[] p = new double[logits.length];
        double z = 0;
        for (int i : kept) {
            p[i] = Math.exp(logits[i] / temperature);
            z += p[i];
        }
        for (int i : kept) {
            p[i] /= z;
        }
        return p;
    }

    private static double[] logSoftmax(float[] logits, int offset, int vocab) {
        double z = 0;
        for (int i = 0; i < vocab; i++) {
            z += Math.exp(logits[offset + i]);
        }
        double log = Math.log(z);
        double[] out = new double[vocab];
        for (int i = 0; i < vocab; i++) {
            out[i] = logits[offset + i] - log;
        }
        return out;
    }

    private static Set<Integer> bruteForceNucleus(float[] logits, double topP) {
        Integer[] order = new Integer[logits.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);
        double[] p = probabilities(logits, 1.0, new TreeSet<>(Arrays.asList(order)));
        Set<Integer> kept = new TreeSet<>();
        double mass = 0;
        for (int t : order) {
            if (mass >= topP) {
                break;
            }
            kept.add(t);
            mass += p[t];
        }
        return kept;
    }

    private static int[] counts(Sampler s, float[] logits, int draws) {
        int[] counts = new int[logits.length];
        TokenHistory h = TokenHistory.empty();
        for (int i = 0; i < draws; i++) {
            counts[s.sample(logits, 0, logits.length, h).token()]++;
        }
        return counts;
    }

    private static Set<Integer> seen(Sampler s, float[] logits, int draws) {
        int[] counts = counts(s, logits, draws);
        Set<Integer> seen = new TreeSet<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                seen.add(i);
            }
        }
        return seen;
    }

    private static int[] sequence(Sampler s, int length) {
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            out[i] = s.sample(SIX, 0, SIX.length, TokenHistory.empty()).token();
        }
        return out;
    }
}

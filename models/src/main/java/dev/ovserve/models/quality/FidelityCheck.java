package dev.ovserve.models.quality;

import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.StatefulSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Measures how faithfully a candidate model (say INT8 or INT4 weights) follows its reference (the
 * FP32 source) on the same prompts, two ways:
 * <ul>
 *   <li>greedy: each model continues each prompt greedily on its own (EOS ignored); what counts is
 *       how long the two continuations stay identical;</li>
 *   <li>teacher-forced: both read the same tokens, the prompt plus the reference's continuation, and
 *       every position's next-token distribution is compared (KL and top-1).</li>
 * </ul>
 * The teacher-forced sequence goes into each model in one append, so both run the same kernels and
 * a model compared with itself scores KL 0: differences come from the weights alone.
 */
public final class FidelityCheck {
    private FidelityCheck() {}

    public static FidelityReport run(StatefulModel reference, StatefulModel candidate, int[][] prompts, int newTokens) {
        int vocab = reference.vocabSize();
        if (candidate.vocabSize() != vocab) {
            throw new IllegalArgumentException("the models' vocabularies differ: " + vocab + " vs " + candidate.vocabSize());
        }
        if (prompts.length == 0) {
            throw new IllegalArgumentException("no prompts");
        }
        if (newTokens < 1) {
            throw new IllegalArgumentException("new tokens must be at least 1, got " + newTokens);
        }
        for (int p = 0; p < prompts.length; p++) {
            if (prompts[p].length == 0) {
                throw new IllegalArgumentException("prompt " + (p + 1) + " has no tokens");
            }
            for (int token : prompts[p]) {
                if (token < 0 || token >= vocab) {
                    throw new IllegalArgumentException("prompt " + (p + 1) + " has token " + token + " outside the vocabulary of " + vocab);
                }
            }
        }

        int positions = 0;
        int top1Matches = 0;
        double klSum = 0;
        double klMax = 0;
        long prefixSum = 0;
        int prefixMin = Integer.MAX_VALUE;
        int fullMatches = 0;
        double maxRegret = 0;
        List<Double> margins = new ArrayList<>();
        for (int[] prompt : prompts) {
            int[] expected = greedy(reference, prompt, newTokens);
            int prefix = commonPrefix(expected, greedy(candidate, prompt, newTokens));
            prefixSum += prefix;
            prefixMin = Math.min(prefixMin, prefix);
            fullMatches += prefix == newTokens ? 1 : 0;

            // The last reference token is never an input: nothing is predicted after it.
            int[] seq = Arrays.copyOf(prompt, prompt.length + newTokens - 1);
            System.arraycopy(expected, 0, seq, prompt.length, newTokens - 1);
            float[] p = logits(reference, seq);
            float[] q = logits(candidate, seq);
            for (int t = 0; t < seq.length; t++) {
                int row = t * vocab;
                double kl = NextTokenDivergence.kl(p, row, q, row, vocab);
                klSum += kl;
                klMax = Math.max(klMax, kl);
                int refTop = NextTokenDivergence.argmax(p, row, vocab);
                int candTop = NextTokenDivergence.argmax(q, row, vocab);
                top1Matches += refTop == candTop ? 1 : 0;
                // How much less likely the reference finds the candidate's pick than its own: 0 when they agree.
                maxRegret = Math.max(maxRegret, (double) p[row + refTop] - p[row + candTop]);
                margins.add(NextTokenDivergence.topTwoGap(p, row, vocab));
            }
            positions += seq.length;
        }
        Collections.sort(margins);
        return new FidelityReport(prompts.length, positions, klSum / positions, klMax, (double) top1Matches / positions,
                maxRegret, margins.get(margins.size() / 2), (double) prefixSum / prompts.length, prefixMin, fullMatches, newTokens);
    }

    /** {@code n} greedy tokens after {@code prompt}: the prompt in one append, then one token at a time. */
    public static int[] greedy(StatefulModel model, int[] prompt, int n) {
        int vocab = model.vocabSize();
        int[] out = new int[n];
        try (StatefulSession session = model.newSession()) {
            float[] logits = session.append(prompt);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    logits = session.append(new int[] {out[i - 1]});
                }
                out[i] = NextTokenDivergence.argmax(logits, logits.length - vocab, vocab);
            }
        }
        return out;
    }

    private static float[] logits(StatefulModel model, int[] tokens) {
        try (StatefulSession session = model.newSession()) {
            return session.append(tokens);
        }
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}

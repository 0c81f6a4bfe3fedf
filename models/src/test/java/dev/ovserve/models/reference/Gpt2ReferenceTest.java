package dev.ovserve.models.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.Gpt2Config;
import dev.ovserve.models.Gpt2Shape;
import dev.ovserve.models.RandomGpt2Generator;
import dev.ovserve.models.safetensors.DType;
import dev.ovserve.models.safetensors.SafetensorsWriter;
import dev.ovserve.models.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2ReferenceTest {
    private static final Gpt2Shape RANDOM_SHAPE = new Gpt2Shape(2, 4, 32, 97, 64);

    @TempDir
    static Path tmp;
    private static Gpt2Reference random;

    @BeforeAll
    static void generate() throws IOException {
        random = Gpt2Reference.load(new RandomGpt2Generator(RANDOM_SHAPE, 1234, 0.2).writeTo(tmp.resolve("random")));
    }

    // ---- hand-computed tiny model ---------------------------------------------------------------

    /**
     * 1 layer, hidden 4, 2 heads, vocab 5, 8 positions, MLP 16. Tensor number t (in the order below)
     * holds, at flat index k, {@code offset + scale * (((7k + 13t) mod 17) - 8) / 8}: multiples of
     * 1/32, so float32 stores them exactly and any independent implementation can rebuild them.
     */
    private static final Object[][] TINY_TENSORS = {
        // name, shape, scale, offset
        {"wte.weight", new long[] {5, 4}, 1.0, 0.0},
        {"wpe.weight", new long[] {8, 4}, 0.5, 0.0},
        {"h.0.ln_1.weight", new long[] {4}, 0.25, 1.0},
        {"h.0.ln_1.bias", new long[] {4}, 0.25, 0.0},
        {"h.0.attn.c_attn.weight", new long[] {4, 12}, 0.5, 0.0},
        {"h.0.attn.c_attn.bias", new long[] {12}, 0.25, 0.0},
        {"h.0.attn.c_proj.weight", new long[] {4, 4}, 0.5, 0.0},
        {"h.0.attn.c_proj.bias", new long[] {4}, 0.25, 0.0},
        {"h.0.ln_2.weight", new long[] {4}, 0.25, 1.0},
        {"h.0.ln_2.bias", new long[] {4}, 0.25, 0.0},
        {"h.0.mlp.c_fc.weight", new long[] {4, 16}, 0.5, 0.0},
        {"h.0.mlp.c_fc.bias", new long[] {16}, 0.25, 0.0},
        {"h.0.mlp.c_proj.weight", new long[] {16, 4}, 0.5, 0.0},
        {"h.0.mlp.c_proj.bias", new long[] {4}, 0.25, 0.0},
        {"ln_f.weight", new long[] {4}, 0.25, 1.0},
        {"ln_f.bias", new long[] {4}, 0.25, 0.0},
    };

    /**
     * Logits for tokens [1, 3, 0, 4, 2], one row per position. Computed independently in float64 with
     * numpy (a throwaway script, not kept): the same weight formula, x = wte[ids] + wpe[:T], one
     * pre-LN block written HF-style (qkv split, heads via reshape, scores / sqrt(2) masked with -inf
     * above the diagonal, softmax, c_proj; gelu_new MLP), ln_f, then @ wte.T. eps 1e-5.
     */
    private static final float[][] TINY_EXPECTED = {
        {-2.2201460f, 2.0125640f, -0.4037793f, 0.7644581f, 1.9147217f},
        {-1.1985183f, -0.6933382f, -0.6127713f, 2.4719767f, -0.7126035f},
        {2.6184238f, -1.2090429f, -0.6755474f, 0.1237476f, -1.2104675f},
        {-1.7431747f, 2.4380702f, -0.3510042f, -0.0164600f, 2.3285244f},
        {0.7229291f, -2.5814899f, 0.9946293f, -0.2992514f, -2.5340608f},
    };

    private static Path writeTinyModel(Path dir) throws IOException {
        new Gpt2Config(1, 2, 4, 5, 8, 8, 16, 1e-5, "gelu_new", 4, 4, true, true).write(dir);
        List<TensorSpec> specs = Arrays.stream(TINY_TENSORS).map(r -> TensorSpec.of((String) r[0], DType.F32, (long[]) r[1])).toList();
        try (var w = SafetensorsWriter.create(dir.resolve("model.safetensors"), specs)) {
            for (int t = 0; t < TINY_TENSORS.length; t++) {
                float[] v = new float[Math.toIntExact(specs.get(t).elementCount())];
                double scale = (double) TINY_TENSORS[t][2];
                double offset = (double) TINY_TENSORS[t][3];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) (offset + scale * (((7 * k + 13 * t) % 17) - 8) / 8.0);
                }
                w.writeFloats(specs.get(t).name(), v);
            }
        }
        return dir;
    }

    @Test
    void matchesHandComputedTinyModel() throws IOException {
        Gpt2Reference ref = Gpt2Reference.load(writeTinyModel(tmp.resolve("tiny")));
        float[][] logits = ref.logits(new int[] {1, 3, 0, 4, 2});
        assertEquals(5, logits.length);
        for (int t = 0; t < logits.length; t++) {
            assertArrayEquals(TINY_EXPECTED[t], logits[t], 2e-5f, "position " + t);
        }
        // The cached path must land on the same numbers.
        var session = ref.session();
        int[] tokens = {1, 3, 0, 4, 2};
        for (int t = 0; t < tokens.length; t++) {
            assertArrayEquals(TINY_EXPECTED[t], session.feed(tokens[t]), 2e-5f, "cached position " + t);
        }
        // numpy's greedy continuation of [1, 3] (full recompute each step, argmax)
        assertArrayEquals(new int[] {3, 3, 3, 3, 3, 3}, ref.greedy(new int[] {1, 3}, 6));
        assertArrayEquals(new int[] {1, 1, 1, 1}, ref.greedy(new int[] {4}, 4));
    }

    @Test
    void refusesMoreTokensThanPositions() throws IOException {
        Gpt2Reference ref = Gpt2Reference.load(writeTinyModel(tmp.resolve("tiny-limit")));
        assertEquals(8, ref.logits(new int[8]).length);
        assertThrows(IllegalArgumentException.class, () -> ref.logits(new int[9]));
        assertThrows(IllegalArgumentException.class, () -> ref.logits(new int[] {5}), "token outside vocabulary");
    }

    // ---- properties on a random model -----------------------------------------------------------

    @Test
    void earlierLogitsIgnoreLaterTokens() {
        int[] a = {5, 17, 42, 8, 3, 60, 1, 90};
        int[] b = a.clone();
        b[5] = 61;
        b[7] = 2;
        float[][] la = random.logits(a);
        float[][] lb = random.logits(b);
        for (int t = 0; t < 5; t++) {
            assertArrayEquals(la[t], lb[t], "position " + t + " must not see tokens after it");
        }
        for (int t = 5; t < 8; t++) {
            assertFalse(Arrays.equals(la[t], lb[t]), "position " + t + " does see the changed token");
        }
    }

    @Test
    void positionMatters() {
        // Same token twice: without position embeddings or with a broken mask these rows could coincide.
        float[][] l = random.logits(new int[] {7, 7, 7});
        assertFalse(Arrays.equals(l[0], l[1]));
        assertFalse(Arrays.equals(l[1], l[2]));
    }

    @Test
    void kvCachedGreedyEqualsFullRecompute() {
        int[] prompt = {11, 22, 33, 44, 55};
        int steps = 40;
        int[] cached = random.greedy(prompt, steps);

        int[] seq = Arrays.copyOf(prompt, prompt.length + steps);
        var session = random.session();
        for (int i = 0; i < prompt.length - 1; i++) {
            session.feed(prompt[i]);
        }
        float[] step = session.feed(prompt[prompt.length - 1]);
        double smallestMargin = Double.MAX_VALUE;
        for (int i = 0; i < steps; i++) {
            int len = prompt.length + i;
            float[] full = random.logits(Arrays.copyOf(seq, len))[len - 1];
            assertArrayEquals(full, step, 1e-4f, "step " + i + " logits");
            seq[len] = Gpt2Reference.argmax(full);
            smallestMargin = Math.min(smallestMargin, Gpt2Reference.topTwoGap(full));
            if (i + 1 < steps) {
                step = session.feed(seq[len]);
            }
        }
        assertArrayEquals(Arrays.copyOfRange(seq, prompt.length, seq.length), cached);
        assertTrue(smallestMargin > 1e-3, "std 0.2 must give well separated logits, smallest top-2 gap " + smallestMargin);
        assertTrue(Arrays.stream(cached).distinct().count() > 1, "a degenerate one-token loop would test little");
    }
}

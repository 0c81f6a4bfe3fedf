package dev.ovserve.models.reference;

import dev.ovserve.models.Gpt2Config;
import dev.ovserve.models.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plain-Java GPT-2 forward pass, read straight from a Hugging Face model directory. It is the
 * yardstick other implementations are checked against, so it aims to be obviously correct, not fast:
 * float32 weights, sums accumulated in double, every step spelled out.
 *
 * <p>Two independent paths compute the same thing: {@link #logits} runs the whole sequence at once
 * with an explicit causal mask, while {@link Session} feeds one token at a time against a KV cache
 * (used by {@link #greedy}). Tests check the two agree.
 */
public final class Gpt2Reference {
    private final Gpt2Config config;
    private final float[] wte;      // [vocab, E]
    private final float[] wpe;      // [positions, E]
    private final float[] lmHead;   // [vocab, E]; the same array as wte when tied
    private final Layer[] layers;
    private final float[] lnFWeight;
    private final float[] lnFBias;

    /** One transformer block's weights; linear weights in Conv1D layout [in, out]. */
    private record Layer(float[] ln1W, float[] ln1B, float[] attnW, float[] attnB, float[] projW, float[] projB,
                         float[] ln2W, float[] ln2B, float[] fcW, float[] fcB, float[] mlpProjW, float[] mlpProjB) {
    }

    private Gpt2Reference(Gpt2Config config, float[] wte, float[] wpe, float[] lmHead, Layer[] layers, float[] lnFWeight,
                          float[] lnFBias) {
        this.config = config;
        this.wte = wte;
        this.wpe = wpe;
        this.lmHead = lmHead;
        this.layers = layers;
        this.lnFWeight = lnFWeight;
        this.lnFBias = lnFBias;
    }

    /** Loads config.json and model.safetensors from {@code dir}, checking every tensor's shape. */
    public static Gpt2Reference load(Path dir) throws IOException {
        Gpt2Config c = Gpt2Config.load(dir);
        int e = c.nEmbd();
        int inner = c.nInner();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            float[] wte = read(f, "wte.weight", c.vocabSize(), e);
            float[] wpe = read(f, "wpe.weight", c.nPositions(), e);
            Layer[] layers = new Layer[c.nLayer()];
            for (int i = 0; i < layers.length; i++) {
                String p = "h." + i + ".";
                layers[i] = new Layer(
                        read(f, p + "ln_1.weight", e), read(f, p + "ln_1.bias", e),
                        read(f, p + "attn.c_attn.weight", e, 3 * e), read(f, p + "attn.c_attn.bias", 3 * e),
                        read(f, p + "attn.c_proj.weight", e, e), read(f, p + "attn.c_proj.bias", e),
                        read(f, p + "ln_2.weight", e), read(f, p + "ln_2.bias", e),
                        read(f, p + "mlp.c_fc.weight", e, inner), read(f, p + "mlp.c_fc.bias", inner),
                        read(f, p + "mlp.c_proj.weight", inner, e), read(f, p + "mlp.c_proj.bias", e));
            }
            float[] lmHead = c.tieWordEmbeddings() ? wte : read(f, "lm_head.weight", c.vocabSize(), e);
            return new Gpt2Reference(c, wte, wpe, lmHead, layers, read(f, "ln_f.weight", e), read(f, "ln_f.bias", e));
        }
    }

    /** Reads a tensor by its bare name or with the "transformer." prefix newer checkpoints use. */
    private static float[] read(SafetensorsFile f, String name, long... shape) {
        String stored = f.contains(name) ? name : "transformer." + name;
        long[] actual = f.info(stored).shape();
        if (!Arrays.equals(actual, shape)) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(actual) + ", config implies "
                    + Arrays.toString(shape));
        }
        return f.readFloats(stored);
    }

    public Gpt2Config config() {
        return config;
    }

    // ---- whole-sequence path -------------------------------------------------------------------

    /** Logits for every position: row t is the next-token distribution after tokens[0..t]. */
    public float[][] logits(int[] tokens) {
        int n = tokens.length;
        checkLength(n);
        int e = config.nEmbd();
        float[][] x = new float[n][];
        for (int t = 0; t < n; t++) {
            x[t] = embed(tokens[t], t);
        }
        for (Layer layer : layers) {
            float[][] q = new float[n][];
            float[][] k = new float[n][];
            float[][] v = new float[n][];
            for (int t = 0; t < n; t++) {
                float[] qkv = linear(layerNorm(x[t], layer.ln1W, layer.ln1B), layer.attnW, layer.attnB, e, 3 * e);
                q[t] = Arrays.copyOfRange(qkv, 0, e);
                k[t] = Arrays.copyOfRange(qkv, e, 2 * e);
                v[t] = Arrays.copyOfRange(qkv, 2 * e, 3 * e);
            }
            for (int t = 0; t < n; t++) {
                // Causal mask: position t attends to positions 0..t only.
                float[] attended = attend(q[t], Arrays.copyOfRange(k, 0, t + 1), Arrays.copyOfRange(v, 0, t + 1));
                add(x[t], linear(attended, layer.projW, layer.projB, e, e));
                add(x[t], mlp(layer, x[t]));
            }
        }
        float[][] out = new float[n][];
        for (int t = 0; t < n; t++) {
            out[t] = head(x[t]);
        }
        return out;
    }

    // ---- incremental path with KV cache -----------------------------------------------------------

    /** Feeds tokens one at a time, keeping each layer's keys and values so earlier positions are not recomputed. */
    public final class Session {
        private final List<List<float[]>> keys = new ArrayList<>();
        private final List<List<float[]>> values = new ArrayList<>();

        private Session() {
            for (int i = 0; i < layers.length; i++) {
                keys.add(new ArrayList<>());
                values.add(new ArrayList<>());
            }
        }

        public int length() {
            return keys.getFirst().size();
        }

        /** Appends one token and returns the logits for the token after it. */
        public float[] feed(int token) {
            int pos = length();
            checkLength(pos + 1);
            int e = config.nEmbd();
            float[] x = embed(token, pos);
            for (int i = 0; i < layers.length; i++) {
                Layer layer = layers[i];
                float[] qkv = linear(layerNorm(x, layer.ln1W, layer.ln1B), layer.attnW, layer.attnB, e, 3 * e);
                keys.get(i).add(Arrays.copyOfRange(qkv, e, 2 * e));
                values.get(i).add(Arrays.copyOfRange(qkv, 2 * e, 3 * e));
                float[] attended = attend(Arrays.copyOfRange(qkv, 0, e), keys.get(i).toArray(float[][]::new),
                        values.get(i).toArray(float[][]::new));
                add(x, linear(attended, layer.projW, layer.projB, e, e));
                add(x, mlp(layer, x));
            }
            return head(x);
        }
    }

    public Session session() {
        return new Session();
    }

    /**
     * Greedy decoding with the KV cache: returns only the {@code newTokens} generated tokens (not the
     * prompt). Ties go to the lowest token id. Does not stop at EOS.
     */
    public int[] greedy(int[] prompt, int newTokens) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt must hold at least one token");
        }
        Session s = session();
        float[] last = null;
        for (int token : prompt) {
            last = s.feed(token);
        }
        int[] out = new int[newTokens];
        for (int i = 0; i < newTokens; i++) {
            out[i] = argmax(last);
            if (i + 1 < newTokens) {
                last = s.feed(out[i]);
            }
        }
        return out;
    }

    /** Index of the largest value; the first one on ties. */
    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Gap between the largest and second-largest logit. Comparisons of greedy output against a
     * lower-precision implementation are only meaningful where this gap exceeds its error.
     */
    public static double topTwoGap(float[] logits) {
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - 1] - sorted[sorted.length - 2];
    }

    // ---- building blocks ------------------------------------------------------------------------

    private void checkLength(int n) {
        if (n > config.nPositions()) {
            throw new IllegalArgumentException(n + " tokens exceed n_positions " + config.nPositions());
        }
    }

    private float[] embed(int token, int pos) {
        if (token < 0 || token >= config.vocabSize()) {
            throw new IllegalArgumentException("token " + token + " outside vocabulary of " + config.vocabSize());
        }
        int e = config.nEmbd();
        float[] x = new float[e];
        for (int j = 0; j < e; j++) {
            x[j] = wte[token * e + j] + wpe[pos * e + j];
        }
        return x;
    }

    /** Softmax(q·k / sqrt(head_dim)) · v per head, over the given (already causally limited) keys. */
    private float[] attend(float[] q, float[][] k, float[][] v) {
        int heads = config.nHead();
        int d = config.headDim();
        double scale = config.scaleAttnWeights() ? 1.0 / Math.sqrt(d) : 1.0;
        float[] out = new float[config.nEmbd()];
        for (int h = 0; h < heads; h++) {
            int off = h * d;
            double[] scores = new double[k.length];
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < k.length; s++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += (double) q[off + j] * k[s][off + j];
                }
                scores[s] = dot * scale;
                max = Math.max(max, scores[s]);
            }
            double sum = 0;
            for (int s = 0; s < k.length; s++) {
                scores[s] = Math.exp(scores[s] - max);
                sum += scores[s];
            }
            for (int j = 0; j < d; j++) {
                double acc = 0;
                for (int s = 0; s < k.length; s++) {
                    acc += scores[s] / sum * v[s][off + j];
                }
                out[off + j] = (float) acc;
            }
        }
        return out;
    }

    private float[] mlp(Layer layer, float[] x) {
        int e = config.nEmbd();
        int inner = config.nInner();
        float[] hidden = linear(layerNorm(x, layer.ln2W, layer.ln2B), layer.fcW, layer.fcB, e, inner);
        for (int j = 0; j < inner; j++) {
            hidden[j] = gelu(hidden[j]);
        }
        return linear(hidden, layer.mlpProjW, layer.mlpProjB, inner, e);
    }

    private float[] head(float[] x) {
        int e = config.nEmbd();
        float[] h = layerNorm(x, lnFWeight, lnFBias);
        float[] logits = new float[config.vocabSize()];
        for (int tok = 0; tok < logits.length; tok++) {
            double acc = 0;
            for (int j = 0; j < e; j++) {
                acc += (double) h[j] * lmHead[tok * e + j];
            }
            logits[tok] = (float) acc;
        }
        return logits;
    }

    private float[] layerNorm(float[] x, float[] weight, float[] bias) {
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (float v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= x.length; // biased variance, as torch.nn.LayerNorm
        double inv = 1.0 / Math.sqrt(var + config.layerNormEpsilon());
        float[] out = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = (float) ((x[j] - mean) * inv * weight[j] + bias[j]);
        }
        return out;
    }

    /** Conv1D: y = x @ W + b with W stored [in, out] row-major. */
    static float[] linear(float[] x, float[] w, float[] b, int in, int out) {
        double[] acc = new double[out];
        for (int j = 0; j < out; j++) {
            acc[j] = b[j];
        }
        for (int i = 0; i < in; i++) {
            double xi = x[i];
            int row = i * out;
            for (int j = 0; j < out; j++) {
                acc[j] += xi * w[row + j];
            }
        }
        float[] y = new float[out];
        for (int j = 0; j < out; j++) {
            y[j] = (float) acc[j];
        }
        return y;
    }

    private float gelu(float x) {
        if (config.tanhGelu()) {
            // gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            double inner = Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x);
            return (float) (0.5 * x * (1.0 + Math.tanh(inner)));
        }
        return (float) (0.5 * x * (1.0 + erf(x / Math.sqrt(2.0))));
    }

    /** erf via Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32 resolution of the result). */
    static double erf(double x) {
        double sign = Math.signum(x);
        double a = Math.abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * a);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        return sign * (1.0 - poly * Math.exp(-a * a));
    }

    private static void add(float[] x, float[] y) {
        for (int j = 0; j < x.length; j++) {
            x[j] += y[j];
        }
    }
}

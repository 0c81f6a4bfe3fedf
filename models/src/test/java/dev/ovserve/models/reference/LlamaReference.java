package dev.ovserve.models.reference;

import dev.ovserve.models.LlamaConfig;
import dev.ovserve.models.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Plain-Java forward pass of the Llama family, read straight from a Hugging Face directory and
 * written from transformers' modeling code, not from our graph builder: float32 weights, sums in
 * double, whole sequence at once with an explicit causal (and sliding-window) mask. RoPE angles
 * are computed here from the config on their own, including the linear and llama3 scalings.
 */
public final class LlamaReference {
    private final LlamaConfig c;
    private final float[] embed;
    private final float[] lmHead;
    private final float[] finalNorm;
    private final Layer[] layers;

    private record Layer(float[] inNorm, float[] wq, float[] wk, float[] wv, float[] bq, float[] bk, float[] bv,
                         float[] qNorm, float[] kNorm, float[] wo, float[] postNorm, float[] gate, float[] up, float[] down) {}

    private LlamaReference(LlamaConfig c, float[] embed, float[] lmHead, float[] finalNorm, Layer[] layers) {
        this.c = c;
        this.embed = embed;
        this.lmHead = lmHead;
        this.finalNorm = finalNorm;
        this.layers = layers;
    }

    public static LlamaReference load(Path dir) throws IOException {
        LlamaConfig c = LlamaConfig.load(dir);
        int e = c.hiddenSize();
        int hd = c.headDim();
        int q = c.numHeads() * hd;
        int kv = c.numKvHeads() * hd;
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            float[] embed = read(f, "model.embed_tokens.weight", c.vocabSize(), e);
            Layer[] layers = new Layer[c.numLayers()];
            for (int i = 0; i < layers.length; i++) {
                String p = "model.layers." + i + ".";
                boolean bias = c.attentionBias();
                layers[i] = new Layer(read(f, p + "input_layernorm.weight", e),
                        read(f, p + "self_attn.q_proj.weight", q, e), read(f, p + "self_attn.k_proj.weight", kv, e),
                        read(f, p + "self_attn.v_proj.weight", kv, e),
                        bias ? read(f, p + "self_attn.q_proj.bias", q) : new float[q],
                        bias ? read(f, p + "self_attn.k_proj.bias", kv) : new float[kv],
                        bias ? read(f, p + "self_attn.v_proj.bias", kv) : new float[kv],
                        c.qkNorm() ? read(f, p + "self_attn.q_norm.weight", hd) : null,
                        c.qkNorm() ? read(f, p + "self_attn.k_norm.weight", hd) : null,
                        read(f, p + "self_attn.o_proj.weight", e, q), read(f, p + "post_attention_layernorm.weight", e),
                        read(f, p + "mlp.gate_proj.weight", c.intermediateSize(), e),
                        read(f, p + "mlp.up_proj.weight", c.intermediateSize(), e),
                        read(f, p + "mlp.down_proj.weight", e, c.intermediateSize()));
            }
            float[] head = c.tieWordEmbeddings() || !f.contains("lm_head.weight") ? embed
                    : read(f, "lm_head.weight", c.vocabSize(), e);
            return new LlamaReference(c, embed, head, read(f, "model.norm.weight", e), layers);
        }
    }

    private static float[] read(SafetensorsFile f, String name, long... shape) {
        long[] actual = f.info(name).shape();
        if (!Arrays.equals(actual, shape)) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(actual) + ", config implies "
                    + Arrays.toString(shape));
        }
        return f.readFloats(name);
    }

    public LlamaConfig config() {
        return c;
    }

    /** transformers' _compute_default/linear/llama3_rope_parameters, spelled out again. */
    double[] inverseFrequencies() {
        int hd = c.headDim();
        double[] inv = new double[hd / 2];
        LlamaConfig.RopeScaling s = c.ropeScaling();
        for (int i = 0; i < inv.length; i++) {
            double f = 1.0 / Math.pow(c.ropeTheta(), (double) (2 * i) / hd);
            if (s.type().equals("linear")) {
                f = f / s.factor();
            } else if (s.type().equals("llama3")) {
                double wavelen = 2 * Math.PI / f;
                double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
                double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
                double scaled = wavelen > lowWavelen ? f / s.factor() : f;
                if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
                    double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                    scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
                }
                f = scaled;
            }
            inv[i] = f;
        }
        return inv;
    }

    /** Logits for every position of {@code tokens}, {@code [T][vocab]}. */
    public float[][] logits(int[] tokens) {
        int t = tokens.length;
        int e = c.hiddenSize();
        double[][] h = new double[t][e];
        for (int i = 0; i < t; i++) {
            if (tokens[i] < 0 || tokens[i] >= c.vocabSize()) {
                throw new IllegalArgumentException("token " + tokens[i] + " outside the vocabulary");
            }
            for (int j = 0; j < e; j++) {
                h[i][j] = embed[tokens[i] * e + j];
            }
        }
        double[] inv = inverseFrequencies();
        for (Layer layer : layers) {
            double[][] attn = attention(layer, rmsNorm(h, layer.inNorm), inv);
            for (int i = 0; i < t; i++) {
                double[] o = matVec(layer.wo, null, attn[i], e);
                for (int j = 0; j < e; j++) {
                    h[i][j] += o[j];
                }
            }
            double[][] x = rmsNorm(h, layer.postNorm);
            for (int i = 0; i < t; i++) {
                double[] g = matVec(layer.gate, null, x[i], c.intermediateSize());
                double[] u = matVec(layer.up, null, x[i], c.intermediateSize());
                for (int k = 0; k < g.length; k++) {
                    g[k] = g[k] / (1 + Math.exp(-g[k])) * u[k];
                }
                double[] d = matVec(layer.down, null, g, e);
                for (int j = 0; j < e; j++) {
                    h[i][j] += d[j];
                }
            }
        }
        double[][] x = rmsNorm(h, finalNorm);
        float[][] out = new float[t][];
        for (int i = 0; i < t; i++) {
            double[] l = matVec(lmHead, null, x[i], c.vocabSize());
            out[i] = new float[l.length];
            for (int v = 0; v < l.length; v++) {
                out[i][v] = (float) l[v];
            }
        }
        return out;
    }

    private double[][] attention(Layer layer, double[][] x, double[] inv) {
        int t = x.length;
        int hd = c.headDim();
        int heads = c.numHeads();
        int kvHeads = c.numKvHeads();
        double[][][] q = new double[t][][];
        double[][][] k = new double[t][][];
        double[][][] v = new double[t][][];
        for (int i = 0; i < t; i++) {
            q[i] = perHead(matVec(layer.wq, layer.bq, x[i], heads * hd), heads, layer.qNorm);
            k[i] = perHead(matVec(layer.wk, layer.bk, x[i], kvHeads * hd), kvHeads, layer.kNorm);
            v[i] = perHead(matVec(layer.wv, layer.bv, x[i], kvHeads * hd), kvHeads, null);
            rope(q[i], i, inv); // position i: no padding, positions count from 0
            rope(k[i], i, inv);
        }
        double[][] out = new double[t][heads * hd];
        double scale = 1 / Math.sqrt(hd);
        for (int head = 0; head < heads; head++) {
            int kvh = head / (heads / kvHeads);
            for (int i = 0; i < t; i++) {
                double[] scores = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    boolean visible = c.slidingWindow() == 0 || i - j < c.slidingWindow();
                    scores[j] = visible ? dot(q[i][head], k[j][kvh]) * scale : Double.NEGATIVE_INFINITY;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int d = 0; d < hd; d++) {
                        out[i][head * hd + d] += scores[j] / sum * v[j][kvh][d];
                    }
                }
            }
        }
        return out;
    }

    private double[][] perHead(double[] flat, int heads, float[] norm) {
        int hd = c.headDim();
        double[][] r = new double[heads][hd];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(flat, h * hd, r[h], 0, hd);
            if (norm != null) {
                r[h] = rmsNorm(r[h], norm);
            }
        }
        return r;
    }

    /** rotate_half: pair (d, d + hd/2) turns by position × inv[d]. */
    private void rope(double[][] heads, int position, double[] inv) {
        int half = c.headDim() / 2;
        for (double[] x : heads) {
            for (int d = 0; d < half; d++) {
                double angle = position * inv[d];
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                double a = x[d];
                double b = x[d + half];
                x[d] = a * cos - b * sin;
                x[d + half] = b * cos + a * sin;
            }
        }
    }

    private double[][] rmsNorm(double[][] h, float[] w) {
        double[][] r = new double[h.length][];
        for (int i = 0; i < h.length; i++) {
            r[i] = rmsNorm(h[i], w);
        }
        return r;
    }

    private double[] rmsNorm(double[] x, float[] w) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] r = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            r[j] = x[j] * inv * w[j];
        }
        return r;
    }

    /** {@code W x + b} for W stored {@code [rows, x.length]} (nn.Linear's layout). */
    private static double[] matVec(float[] w, float[] b, double[] x, int rows) {
        int cols = x.length;
        double[] r = new double[rows];
        for (int o = 0; o < rows; o++) {
            double s = b == null ? 0 : b[o];
            int base = o * cols;
            for (int i = 0; i < cols; i++) {
                s += w[base + i] * x[i];
            }
            r[o] = s;
        }
        return r;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Greedy continuation by full recomputation at every step. */
    public int[] greedy(int[] prompt, int steps) {
        int[] seq = Arrays.copyOf(prompt, prompt.length + steps);
        for (int s = 0; s < steps; s++) {
            float[][] l = logits(Arrays.copyOf(seq, prompt.length + s));
            seq[prompt.length + s] = Gpt2Reference.argmax(l[l.length - 1]);
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }
}

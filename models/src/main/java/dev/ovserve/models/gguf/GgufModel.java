package dev.ovserve.models.gguf;

import dev.ovserve.models.LlamaConfig;
import dev.ovserve.models.ir.SourceWeights;
import dev.ovserve.models.quant.QuantizedMatrix;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Llama-family GGUF seen as a Hugging Face model: its metadata as a {@link LlamaConfig} and
 * its tensors under transformers' names. llama.cpp's converter interleaves the rotary halves of
 * q and k rows for the {@code llama} architecture (GPT-J style); we put them back in
 * transformers' rotate-half order, row by row, which works on quantized blocks as they are.
 */
public final class GgufModel implements SourceWeights {
    private static final Map<String, String> ARCHITECTURES = Map.of("llama", "llama", "qwen2", "qwen2", "qwen3", "qwen3");
    private static final Map<String, String> GLOBAL = Map.of("token_embd.weight", "model.embed_tokens.weight",
            "output_norm.weight", "model.norm.weight", "output.weight", "lm_head.weight");
    private static final Map<String, String> LAYER = Map.ofEntries(
            Map.entry("attn_norm", "input_layernorm"), Map.entry("attn_q", "self_attn.q_proj"),
            Map.entry("attn_k", "self_attn.k_proj"), Map.entry("attn_v", "self_attn.v_proj"),
            Map.entry("attn_output", "self_attn.o_proj"), Map.entry("attn_q_norm", "self_attn.q_norm"),
            Map.entry("attn_k_norm", "self_attn.k_norm"), Map.entry("ffn_norm", "post_attention_layernorm"),
            Map.entry("ffn_gate", "mlp.gate_proj"), Map.entry("ffn_up", "mlp.up_proj"), Map.entry("ffn_down", "mlp.down_proj"));
    private static final Pattern HF_LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)\\.(weight|bias)");

    private final GgufFile file;
    private final LlamaConfig config;
    private final boolean keepBlocks;

    /** @param keepBlocks hand Q8_0/Q4_0/Q4_1 tensors over as blocks instead of dequantizing them */
    public GgufModel(GgufFile file, boolean keepBlocks) {
        this.file = file;
        this.config = config(file);
        this.keepBlocks = keepBlocks;
    }

    public LlamaConfig config() {
        return config;
    }

    static LlamaConfig config(GgufFile f) {
        String arch = f.string("general.architecture");
        String family = ARCHITECTURES.get(arch);
        if (family == null) {
            throw new IllegalArgumentException(f.path() + ": general.architecture '" + arch + "' is not supported (llama, qwen2, qwen3 are)");
        }
        if (f.tensors().containsKey("rope_freqs.weight")) {
            throw new IllegalArgumentException(f.path() + ": per-frequency RoPE factors (rope_freqs, Llama 3.1 style) are not supported");
        }
        String scaling = f.string(arch + ".rope.scaling.type");
        LlamaConfig.RopeScaling rope = LlamaConfig.RopeScaling.NONE;
        if ("linear".equals(scaling)) {
            rope = new LlamaConfig.RopeScaling("linear", f.real(arch + ".rope.scaling.factor", 1), 0, 0, 0);
        } else if (scaling != null && !scaling.equals("none")) {
            throw new IllegalArgumentException(f.path() + ": rope scaling '" + scaling + "' is not supported");
        }
        int hidden = (int) required(f, arch + ".embedding_length");
        int heads = (int) required(f, arch + ".attention.head_count");
        int headDim = (int) f.integer(arch + ".attention.key_length", hidden / heads);
        int ropeDims = (int) f.integer(arch + ".rope.dimension_count", headDim);
        if (ropeDims != headDim) {
            throw new IllegalArgumentException(f.path() + ": partial rotary embeddings (" + ropeDims + " of " + headDim
                    + " dims) are not supported");
        }
        GgufTensor embed = f.tensor("token_embd.weight");
        int vocab = (int) embed.rows();
        return new LlamaConfig(family,
                (int) required(f, arch + ".block_count"),
                hidden,
                (int) required(f, arch + ".feed_forward_length"),
                heads,
                (int) f.integer(arch + ".attention.head_count_kv", heads),
                headDim,
                vocab,
                (int) f.integer(arch + ".context_length", 2048),
                f.real(arch + ".attention.layer_norm_rms_epsilon", 1e-5),
                f.real(arch + ".rope.freq_base", 10000),
                rope,
                !f.tensors().containsKey("output.weight"),
                family.equals("qwen2") || f.tensors().containsKey("blk.0.attn_q.bias"),
                family.equals("qwen3"),
                (int) f.integer(arch + ".attention.sliding_window", 0),
                (int) f.integer("tokenizer.ggml.bos_token_id", 1),
                (int) f.integer("tokenizer.ggml.eos_token_id", 2));
    }

    private static long required(GgufFile f, String key) {
        if (!(f.metadata().get(key) instanceof Long v)) {
            throw new IllegalArgumentException(f.path() + ": metadata " + key + " is missing");
        }
        return v;
    }

    /** The GGUF tensor name for a transformers name. */
    static String ggufName(String hfName) {
        for (var e : GLOBAL.entrySet()) {
            if (e.getValue().equals(hfName)) {
                return e.getKey();
            }
        }
        Matcher m = HF_LAYER.matcher(hfName);
        if (m.matches()) {
            for (var e : LAYER.entrySet()) {
                if (e.getValue().equals(m.group(2))) {
                    return "blk." + m.group(1) + "." + e.getKey() + "." + m.group(3);
                }
            }
        }
        throw new IllegalArgumentException("no GGUF tensor corresponds to " + hfName);
    }

    @Override
    public boolean has(String name) {
        return file.tensors().containsKey(ggufName(name));
    }

    @Override
    public float[] floats(String name) {
        String g = ggufName(name);
        float[] values = file.floats(g);
        int heads = rotaryHeads(name);
        GgufTensor t = file.tensor(g);
        return heads == 0 ? values : unpermuteRows(values, t.dims().length == 1 ? 1 : (int) t.cols(), heads);
    }

    @Override
    public QuantizedMatrix quantized(String name) {
        String g = ggufName(name);
        GgmlType type = file.tensor(g).type();
        if (!keepBlocks || (type != GgmlType.Q8_0 && type != GgmlType.Q4_0 && type != GgmlType.Q4_1)) {
            return null;
        }
        QuantizedMatrix q = file.quantized(g);
        int heads = rotaryHeads(name);
        if (heads == 0) {
            return q;
        }
        int groups = q.groups();
        return new QuantizedMatrix(q.rows(), q.cols(), q.groupSize(), q.bits(), q.signed(),
                unpermuteRows(q.values(), q.cols(), heads), unpermuteRows(q.scales(), groups, heads),
                q.zeroPoints() == null ? null : unpermuteRows(q.zeroPoints(), groups, heads),
                q.mins() == null ? null : unpermuteRows(q.mins(), groups, heads));
    }

    /** Heads whose rows llama.cpp interleaved (q and k weights/biases of the llama architecture), else 0. */
    private int rotaryHeads(String name) {
        if (!"llama".equals(file.string("general.architecture"))) {
            return 0;
        }
        if (name.contains("self_attn.q_proj.")) {
            return config.numHeads();
        }
        if (name.contains("self_attn.k_proj.")) {
            return config.numKvHeads();
        }
        return 0;
    }

    /** HF row h*hd + half*j + i came from GGUF row h*hd + 2i + j. */
    static int sourceRow(int hfRow, int rows, int heads) {
        int hd = rows / heads;
        int h = hfRow / hd;
        int within = hfRow % hd;
        int half = hd / 2;
        return h * hd + 2 * (within % half) + within / half;
    }

    static float[] unpermuteRows(float[] a, int cols, int heads) {
        int rows = a.length / cols;
        float[] out = new float[a.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a, sourceRow(r, rows, heads) * cols, out, r * cols, cols);
        }
        return out;
    }

    static int[] unpermuteRows(int[] a, int cols, int heads) {
        int rows = a.length / cols;
        int[] out = new int[a.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a, sourceRow(r, rows, heads) * cols, out, r * cols, cols);
        }
        return out;
    }
}

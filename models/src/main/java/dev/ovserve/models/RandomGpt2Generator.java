package dev.ovserve.models;

import dev.ovserve.models.safetensors.DType;
import dev.ovserve.models.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ordinary Hugging Face GPT-2 model directory ({@code config.json},
 * {@code generation_config.json}, {@code model.safetensors}) holding random weights, so tests get a
 * real-format model without downloading one. No tokenizer files are written.
 *
 * <p>Tensor names and layouts are GPT2LMHeadModel's without the {@code transformer.} prefix;
 * linear weights use Conv1D layout {@code [in, out]} ({@code y = x @ W + b}); lm_head is tied to
 * {@code wte} and not stored.
 *
 * <p>Every tensor is drawn from its own stream seeded by (seed, tensor name), so output is
 * byte-for-byte reproducible and any single tensor can be regenerated alone with {@link #tensor}.
 * Weights are N(0, std²); biases and layer-norm shifts are N(0, std²) too, and layer-norm scales
 * are 1 + N(0, std²), so every parameter actually influences the output. HF's own init is std
 * 0.02; tiny test models want 0.1–0.3 so logits are well separated and greedy argmax is stable.
 */
public final class RandomGpt2Generator {
    public static final double HF_INIT_STD = 0.02;
    public static final String WEIGHTS_FILE = "model.safetensors";

    private final Gpt2Shape shape;
    private final long seed;
    private final double std;
    private final DType dtype;

    public RandomGpt2Generator(Gpt2Shape shape, long seed) {
        this(shape, seed, HF_INIT_STD, DType.F32);
    }

    public RandomGpt2Generator(Gpt2Shape shape, long seed, double std) {
        this(shape, seed, std, DType.F32);
    }

    /** @param dtype storage type of model.safetensors: F32, F16 or BF16 (values are drawn in float32 either way) */
    public RandomGpt2Generator(Gpt2Shape shape, long seed, double std, DType dtype) {
        if (!(std > 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("init std must be positive and finite, got " + std);
        }
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("weights can be stored as F32, F16 or BF16, not " + dtype);
        }
        this.shape = shape;
        this.seed = seed;
        this.std = std;
        this.dtype = dtype;
    }

    /** Convenience: writes a directory with default HF init std. */
    public static Path write(Path dir, Gpt2Shape shape, long seed) throws IOException {
        return new RandomGpt2Generator(shape, seed).writeTo(dir);
    }

    public Gpt2Config config() {
        return Gpt2Config.of(shape);
    }

    /** The stored tensors in file order: embeddings, then each block, then the final layer norm. */
    public List<TensorSpec> tensorSpecs() {
        int e = shape.hidden();
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(TensorSpec.of("wte.weight", dtype, shape.vocab(), e));
        specs.add(TensorSpec.of("wpe.weight", dtype, shape.context(), e));
        for (int i = 0; i < shape.layers(); i++) {
            String p = "h." + i + ".";
            specs.add(TensorSpec.of(p + "ln_1.weight", dtype, e));
            specs.add(TensorSpec.of(p + "ln_1.bias", dtype, e));
            specs.add(TensorSpec.of(p + "attn.c_attn.weight", dtype, e, 3L * e));
            specs.add(TensorSpec.of(p + "attn.c_attn.bias", dtype, 3L * e));
            specs.add(TensorSpec.of(p + "attn.c_proj.weight", dtype, e, e));
            specs.add(TensorSpec.of(p + "attn.c_proj.bias", dtype, e));
            specs.add(TensorSpec.of(p + "ln_2.weight", dtype, e));
            specs.add(TensorSpec.of(p + "ln_2.bias", dtype, e));
            specs.add(TensorSpec.of(p + "mlp.c_fc.weight", dtype, e, shape.inner()));
            specs.add(TensorSpec.of(p + "mlp.c_fc.bias", dtype, shape.inner()));
            specs.add(TensorSpec.of(p + "mlp.c_proj.weight", dtype, shape.inner(), e));
            specs.add(TensorSpec.of(p + "mlp.c_proj.bias", dtype, e));
        }
        specs.add(TensorSpec.of("ln_f.weight", dtype, e));
        specs.add(TensorSpec.of("ln_f.bias", dtype, e));
        return specs;
    }

    /** Generates one tensor's float32 values (before any narrowing to the storage dtype). */
    public float[] tensor(TensorSpec spec) {
        boolean layerNormScale = spec.name().endsWith("ln_1.weight") || spec.name().endsWith("ln_2.weight")
                || spec.name().equals("ln_f.weight");
        return RandomWeights.gaussian(seed, spec, layerNormScale ? 1.0 : 0.0, std);
    }

    /**
     * The chat template random models ship (GPT-2 has none, and ovserve refuses chat for a model
     * without one): one {@code role: content} line per message, then {@code assistant:}.
     */
    public static final String CHAT_TEMPLATE = "{% for message in messages %}"
            + "{{ message['role'] + ': ' + message['content'] + '\\n' }}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}";
    public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

    /** Writes config.json, generation_config.json, chat_template.jinja and model.safetensors into {@code dir} (created if needed). */
    public Path writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Gpt2Config config = config();
        config.write(dir);
        GenerationConfig.fromModelConfig(config).write(dir);
        Files.writeString(dir.resolve(CHAT_TEMPLATE_FILE), CHAT_TEMPLATE);
        List<TensorSpec> specs = tensorSpecs();
        RandomWeights.write(dir.resolve(WEIGHTS_FILE), specs, this::tensor);
        return dir;
    }

}

package dev.ovserve.models;

/**
 * The sizes that determine a GPT-2 model's tensors. The MLP is always {@code 4 * hidden} wide,
 * as in every published GPT-2 checkpoint.
 */
public record Gpt2Shape(int layers, int heads, int hidden, int vocab, int context) {
    /** distilgpt2: 6 layers, 12 heads, 768 wide, GPT-2 BPE vocabulary, 1024 positions (~82M parameters). */
    public static final Gpt2Shape DISTILGPT2 = new Gpt2Shape(6, 12, 768, 50257, 1024);

    public Gpt2Shape {
        if (layers <= 0 || heads <= 0 || hidden <= 0 || vocab <= 0 || context <= 0) {
            throw new IllegalArgumentException("all GPT-2 shape sizes must be positive: " + this);
        }
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " is not divisible by heads " + heads);
        }
    }

    public int inner() {
        return 4 * hidden;
    }

    public int headDim() {
        return hidden / heads;
    }

    /** Parameters stored in model.safetensors (lm_head is tied to wte and not counted twice). */
    public long parameterCount() {
        long e = hidden;
        long perLayer = 2 * e + (e * 3 * e + 3 * e) + (e * e + e) + 2 * e + (e * 4 * e + 4 * e) + (4 * e * e + e);
        return (long) vocab * e + (long) context * e + layers * perLayer + 2 * e;
    }
}

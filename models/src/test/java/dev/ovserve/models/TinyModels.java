package dev.ovserve.models;

import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.models.ir.WeightFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Tiny random GPT-2s for tests, built on the fly with the project's own generator and converter. */
public final class TinyModels {
    /** 2 layers, 4 heads of 16, vocab 384: big enough to exercise every op, quick to run. */
    public static final Gpt2Shape SHAPE = new Gpt2Shape(2, 4, 64, 384, 128);
    /** std 0.2 spreads the logits so greedy choices are not near-ties between implementations. */
    public static final double STD = 0.2;
    public static final long SEED = 1234;

    /**
     * Exact-math compile options: f32 inference, an f32 KV cache (the CPU default is u8), and no
     * dynamic int8 quantization of activations (the CPU default for compressed weights).
     */
    public static final Map<String, String> EXACT = Map.of("INFERENCE_PRECISION_HINT", "f32", "KV_CACHE_PRECISION", "f32",
            "DYNAMIC_QUANTIZATION_GROUP_SIZE", "0");

    private TinyModels() {}

    /** Writes {@code root/hf} and {@code root/ir} and returns the IR directory. */
    public static Path build(Path root, WeightFormat format) throws IOException {
        Path hf = root.resolve("hf");
        new RandomGpt2Generator(SHAPE, SEED, STD).writeTo(hf);
        Path ir = root.resolve("ir-" + format.name().toLowerCase());
        Gpt2IrConverter.convert(hf, ir, format);
        return ir;
    }
}

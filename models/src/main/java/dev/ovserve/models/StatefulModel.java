package dev.ovserve.models;

import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.openvino.CompiledModel;
import dev.ovserve.openvino.Core;
import dev.ovserve.openvino.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stateful causal-LM IR (ours or optimum-intel's) compiled for direct, one-sequence-at-a-time
 * generation: the KV cache lives in the infer request's state. The paged engine supersedes this
 * for serving; it stays as the simplest correct path and as a reference for the engine.
 */
public final class StatefulModel implements AutoCloseable {
    private static final List<String> REQUIRED_INPUTS = List.of("input_ids", "attention_mask", "position_ids", "beam_idx");

    private final CompiledModel compiled;
    private final int vocabSize;
    private final Duration loadTime;

    /** How long reading and compiling took. */
    public record Duration(double readSeconds, double compileSeconds) {}

    private StatefulModel(CompiledModel compiled, int vocabSize, Duration loadTime) {
        this.compiled = compiled;
        this.vocabSize = vocabSize;
        this.loadTime = loadTime;
    }

    /** Compiles with the latency hint unless {@code properties} says otherwise. */
    public static StatefulModel load(Core core, Path modelDir, String device, Map<String, String> properties) {
        Path xml = modelDir.resolve(Gpt2IrConverter.XML);
        if (!Files.isRegularFile(xml)) {
            throw new IllegalArgumentException("no " + Gpt2IrConverter.XML + " in " + modelDir
                    + " (convert a Hugging Face directory first: ovserve convert --in HF_DIR --out " + modelDir + ")");
        }
        long t0 = System.nanoTime();
        try (Model model = core.readModel(xml)) {
            for (String input : REQUIRED_INPUTS) {
                if (model.inputs().stream().noneMatch(p -> p.name().equals(input))) {
                    throw new IllegalArgumentException(xml + " is not a stateful causal LM: it has no '" + input
                            + "' input (inputs: " + model.inputs() + ")");
                }
            }
            long t1 = System.nanoTime();
            Map<String, String> props = new LinkedHashMap<>();
            props.put("PERFORMANCE_HINT", "LATENCY");
            props.putAll(properties);
            CompiledModel compiled = core.compileModel(model, device, props);
            long t2 = System.nanoTime();
            var logits = compiled.output("logits").shape();
            int vocab = (int) logits.dimension(logits.rank() - 1).length();
            return new StatefulModel(compiled, vocab, new Duration((t1 - t0) / 1e9, (t2 - t1) / 1e9));
        }
    }

    public StatefulSession newSession() {
        return new StatefulSession(compiled.createInferRequest(), vocabSize);
    }

    public int vocabSize() {
        return vocabSize;
    }

    public List<String> executionDevices() {
        return compiled.executionDevices();
    }

    public Duration loadTime() {
        return loadTime;
    }

    @Override
    public void close() {
        compiled.close();
    }
}

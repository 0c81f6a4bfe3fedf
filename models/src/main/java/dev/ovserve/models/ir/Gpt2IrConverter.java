package dev.ovserve.models.ir;

import dev.ovserve.models.Gpt2Config;
import dev.ovserve.models.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Converts a Hugging Face GPT-2 directory (config.json + model.safetensors) into an OpenVINO IR
 * directory (openvino_model.xml/.bin) with the tokenizer and config files copied beside it, so
 * the output is a complete model directory for ovserve and for other OpenVINO servers.
 */
public final class Gpt2IrConverter {
    public static final String XML = IrFiles.XML;
    public static final String BIN = IrFiles.BIN;

    private Gpt2IrConverter() {}

    /** With the format's default scheme (see {@link WeightOptions#of}). */
    public static void convert(Path hfDir, Path outDir, WeightFormat format) throws IOException {
        convert(hfDir, outDir, WeightOptions.of(format));
    }

    public static void convert(Path hfDir, Path outDir, WeightOptions weights) throws IOException {
        Gpt2Config config = Gpt2Config.load(hfDir);
        if (!config.scaleAttnWeights()) {
            throw new IllegalArgumentException("scale_attn_weights=false is not supported (attention is always scaled by 1/sqrt(head_dim))");
        }
        Path weightsFile = hfDir.resolve("model.safetensors");
        if (!Files.isRegularFile(weightsFile)) {
            throw new IOException("no model.safetensors in " + hfDir);
        }
        Files.createDirectories(outDir);
        try (SafetensorsFile st = SafetensorsFile.open(weightsFile);
             IrGraph graph = new IrGraph(outDir.resolve(BIN))) {
            var dims = new Gpt2GraphBuilder.Dims(config.nLayer(), config.nHead(), config.nEmbd(), config.nInner(),
                    config.vocabSize(), config.nPositions(), (float) config.layerNormEpsilon(), config.tanhGelu());
            new Gpt2GraphBuilder(graph, weights, name -> read(st, name), dims).build();
            graph.writeXml(outDir.resolve(XML), "gpt2", Map.of("ovserve_weights", weights.describe()));
        }
        IrFiles.copyModelFiles(hfDir, outDir);
    }

    /** Checkpoints saved from GPT2LMHeadModel prefix every tensor with "transformer.". */
    private static float[] read(SafetensorsFile st, String name) {
        if (st.contains(name)) {
            return st.readFloats(name);
        }
        String prefixed = "transformer." + name;
        if (st.contains(prefixed)) {
            return st.readFloats(prefixed);
        }
        throw new IllegalArgumentException("tensor " + name + " is missing from " + st.path());
    }
}

package dev.ovserve.models.ir;

import dev.ovserve.models.LlamaConfig;
import dev.ovserve.models.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts a Hugging Face Llama, Mistral, Qwen2 or Qwen3 directory (config.json and one or more
 * {@code *.safetensors}) into an IR directory in optimum-intel's stateful contract, with the
 * tokenizer, chat template and config files copied beside it.
 */
public final class LlamaIrConverter {
    private LlamaIrConverter() {}

    public static void convert(Path hfDir, Path outDir, WeightOptions options) throws IOException {
        LlamaConfig config = LlamaConfig.load(hfDir);
        List<Path> files;
        try (var list = Files.list(hfDir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no *.safetensors in " + hfDir);
        }
        Files.createDirectories(outDir);
        List<SafetensorsFile> shards = new ArrayList<>();
        try {
            for (Path f : files) {
                shards.add(SafetensorsFile.open(f));
            }
            write(outDir, config, new Shards(shards), options);
        } finally {
            for (SafetensorsFile s : shards) {
                s.close();
            }
        }
        IrFiles.copyModelFiles(hfDir, outDir);
    }

    /** Builds {@code openvino_model.xml/.bin} in {@code outDir} from any weight source. */
    public static void write(Path outDir, LlamaConfig config, SourceWeights weights, WeightOptions options) {
        try (IrGraph graph = new IrGraph(outDir.resolve(IrFiles.BIN))) {
            new LlamaGraphBuilder(graph, options, weights, config).build();
            graph.writeXml(outDir.resolve(IrFiles.XML), config.modelType(), Map.of("ovserve_weights", options.describe()));
        }
    }

    private record Shards(List<SafetensorsFile> files) implements SourceWeights {
        @Override
        public boolean has(String name) {
            return files.stream().anyMatch(f -> f.contains(name));
        }

        @Override
        public float[] floats(String name) {
            for (SafetensorsFile f : files) {
                if (f.contains(name)) {
                    return f.readFloats(name);
                }
            }
            throw new IllegalArgumentException("tensor " + name + " is missing from the safetensors files");
        }
    }
}

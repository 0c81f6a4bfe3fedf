package dev.ovserve.models.gguf;

import dev.ovserve.models.GenerationConfig;
import dev.ovserve.models.LlamaConfig;
import dev.ovserve.models.ir.LlamaIrConverter;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.ir.WeightOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Converts a Llama-family GGUF into a complete model directory: the IR (Q8_0/Q4_0/Q4_1 blocks kept
 * as decompression subgraphs, or everything dequantized and written in a requested format),
 * {@code config.json}, {@code generation_config.json} and the tokenizer files.
 */
public final class GgufConverter {
    private GgufConverter() {}

    /** @param weights null keeps the GGUF's quantized blocks as they are (other tensors FP16) */
    public static void convert(Path gguf, Path outDir, WeightOptions weights) throws IOException {
        try (GgufFile file = GgufFile.open(gguf)) {
            GgufModel model = new GgufModel(file, weights == null);
            LlamaConfig config = model.config();
            Files.createDirectories(outDir);
            LlamaIrConverter.write(outDir, config, model, weights == null ? WeightOptions.of(WeightFormat.FP16) : weights);
            config.write(outDir);
            GenerationConfig d = GenerationConfig.defaults();
            new GenerationConfig(config.bosTokenId(), List.of(config.eosTokenId()), d.maxLength(), d.maxNewTokens(),
                    d.doSample(), d.temperature(), d.topP(), d.topK()).write(outDir);
            GgufTokenizer.write(file, outDir, config.maxPositions());
        }
    }
}

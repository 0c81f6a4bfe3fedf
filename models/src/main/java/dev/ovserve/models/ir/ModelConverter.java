package dev.ovserve.models.ir;

import dev.ovserve.models.LlamaConfig;
import dev.ovserve.models.gguf.GgufConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Picks the converter for what {@code in} is: a GGUF file, or a Hugging Face directory by its {@code model_type}. */
public final class ModelConverter {
    private ModelConverter() {}

    /**
     * @param weights the format to write; null keeps a GGUF's own quantized blocks (and means FP16
     *                for a Hugging Face directory)
     */
    public static void convert(Path in, Path out, WeightOptions weights) throws IOException {
        if (Files.isRegularFile(in) && in.getFileName().toString().endsWith(".gguf")) {
            GgufConverter.convert(in, out, weights);
            return;
        }
        if (!Files.isDirectory(in)) {
            throw new IOException(in + " is neither a Hugging Face model directory nor a .gguf file");
        }
        WeightOptions options = weights == null ? WeightOptions.of(WeightFormat.FP16) : weights;
        String type = LlamaConfig.modelType(in);
        if ("gpt2".equals(type)) {
            Gpt2IrConverter.convert(in, out, options);
        } else if (LlamaConfig.FAMILIES.contains(type)) {
            LlamaIrConverter.convert(in, out, options);
        } else {
            throw new IllegalArgumentException("cannot convert model_type " + (type == null ? "(missing)" : "'" + type + "'")
                    + ": the converter takes gpt2, " + String.join(", ", LlamaConfig.FAMILIES.stream().sorted().toList())
                    + " (export other families with optimum-cli export openvino)");
        }
    }
}

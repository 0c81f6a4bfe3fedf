package dev.ovserve.server.cli;

import dev.ovserve.models.ir.IrFiles;
import dev.ovserve.models.ir.ModelConverter;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.ir.WeightOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Hugging Face directory (gpt2, llama, mistral, qwen2, qwen3) or a Llama-family .gguf file"
                + " to OpenVINO IR, optionally with INT8 or INT4 weights.")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--in", required = true, description = "Hugging Face model directory or .gguf file.")
    Path in;
    @Option(names = "--out", required = true, description = "IR output directory.")
    Path out;
    @Option(names = "--weights", description = "fp32, fp16, int8 or int4. Default: fp16 for a Hugging Face directory;"
            + " a GGUF keeps its own Q4_0/Q4_1/Q8_0 blocks unless this is given (then it dequantizes first).")
    String weights;
    @ArgGroup(exclusive = true)
    Scheme scheme;
    @Option(names = "--group-size", defaultValue = "" + WeightOptions.DEFAULT_GROUP_SIZE,
            description = "INT4 group along the input dimension; matrices it does not divide use the backup. Default: ${DEFAULT-VALUE}")
    int groupSize;
    @Option(names = "--int4-backup", defaultValue = "int8",
            description = "Precision of embeddings, the LM head and ungroupable matrices under int4: int8 (asymmetric), fp16 or fp32. Default: ${DEFAULT-VALUE}")
    String int4Backup;

    static final class Scheme {
        @Option(names = "--sym", description = "Signed codes, no zero points (default for int4).")
        boolean sym;
        @Option(names = "--asym", description = "Unsigned codes with zero points (default for int8).")
        boolean asym;
    }

    @Override
    public Integer call() throws Exception {
        boolean keepGgufBlocks = weights == null && in.getFileName().toString().endsWith(".gguf");
        WeightFormat format = WeightFormat.parse(weights == null ? "fp16" : weights);
        WeightOptions options = WeightOptions.of(format).withGroupSize(groupSize).withBackup(WeightFormat.parse(int4Backup));
        if (scheme != null) {
            if (format != WeightFormat.INT8 && format != WeightFormat.INT4) {
                throw new IllegalArgumentException("--sym/--asym apply to int8 and int4 only");
            }
            options = options.withSymmetric(scheme.sym);
        }
        long start = System.nanoTime();
        ModelConverter.convert(in, out, keepGgufBlocks ? null : options);
        double seconds = (System.nanoTime() - start) / 1e9;
        long bytes = Files.size(out.resolve(IrFiles.BIN)) + Files.size(out.resolve(IrFiles.XML));
        spec.commandLine().getOut().printf("converted %s -> %s (%s, %.1f MB) in %.1f s%n", in, out,
                keepGgufBlocks ? "GGUF blocks kept" : options.describe(),
                bytes / 1e6, seconds);
        return 0;
    }
}

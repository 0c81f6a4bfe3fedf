package dev.ovserve.server.cli;

import dev.ovserve.models.ir.Gpt2IrConverter;
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
        description = "Convert a Hugging Face GPT-2 directory to OpenVINO IR, optionally with INT8 or INT4 weights.")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--in", required = true, description = "Hugging Face model directory.")
    Path in;
    @Option(names = "--out", required = true, description = "IR output directory.")
    Path out;
    @Option(names = "--weights", defaultValue = "fp16", description = "fp32, fp16, int8 or int4. Default: ${DEFAULT-VALUE}")
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
        WeightFormat format = WeightFormat.parse(weights);
        WeightOptions options = WeightOptions.of(format).withGroupSize(groupSize).withBackup(WeightFormat.parse(int4Backup));
        if (scheme != null) {
            if (format != WeightFormat.INT8 && format != WeightFormat.INT4) {
                throw new IllegalArgumentException("--sym/--asym apply to int8 and int4 only");
            }
            options = options.withSymmetric(scheme.sym);
        }
        long start = System.nanoTime();
        Gpt2IrConverter.convert(in, out, options);
        double seconds = (System.nanoTime() - start) / 1e9;
        long bytes = Files.size(out.resolve(Gpt2IrConverter.BIN)) + Files.size(out.resolve(Gpt2IrConverter.XML));
        spec.commandLine().getOut().printf("converted %s -> %s (%s, %.1f MB) in %.1f s%n", in, out, options.describe(),
                bytes / 1e6, seconds);
        return 0;
    }
}

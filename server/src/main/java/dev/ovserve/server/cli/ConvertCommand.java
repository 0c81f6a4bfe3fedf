package dev.ovserve.server.cli;

import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.models.ir.WeightFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "convert", description = "Convert a Hugging Face GPT-2 directory to OpenVINO IR.")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--in", required = true, description = "Hugging Face model directory.")
    Path in;
    @Option(names = "--out", required = true, description = "IR output directory.")
    Path out;
    @Option(names = "--weights", defaultValue = "fp16", description = "fp32, fp16, int8 or int4. Default: ${DEFAULT-VALUE}")
    String weights;
    @Option(names = "--group-size", defaultValue = "128",
            description = "INT4 group along the input dimension (matrices it does not divide fall back to INT8). Default: ${DEFAULT-VALUE}")
    int groupSize;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        Gpt2IrConverter.convert(in, out, WeightFormat.parse(weights), groupSize);
        double seconds = (System.nanoTime() - start) / 1e9;
        long bytes = Files.size(out.resolve(Gpt2IrConverter.BIN)) + Files.size(out.resolve(Gpt2IrConverter.XML));
        spec.commandLine().getOut().printf("converted %s -> %s (%s, %.1f MB) in %.1f s%n", in, out, weights, bytes / 1e6, seconds);
        return 0;
    }
}

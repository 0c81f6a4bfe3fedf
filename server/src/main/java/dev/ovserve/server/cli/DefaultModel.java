package dev.ovserve.server.cli;

import dev.ovserve.models.Gpt2Shape;
import dev.ovserve.models.RandomGpt2Generator;
import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.openvino.NativeLibs;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model served when none is named: a random-weight GPT-2 with distilgpt2's shape and
 * GPT-2's real tokenizer, built once under ovserve.home so a fresh machine can run at once.
 */
final class DefaultModel {
    static final long SEED = 42;

    private DefaultModel() {}

    static Path ensure() throws Exception {
        Path home = NativeLibs.homeDir();
        Path ir = home.resolve("models/distilgpt2-random-fp16");
        if (Files.isRegularFile(ir.resolve(Gpt2IrConverter.XML)) && Files.isRegularFile(ir.resolve("tokenizer.json"))) {
            Path template = ir.resolve(RandomGpt2Generator.CHAT_TEMPLATE_FILE);
            if (!Files.exists(template)) { // built before random models shipped a template
                Files.writeString(template, RandomGpt2Generator.CHAT_TEMPLATE);
            }
            return ir;
        }
        System.err.println("ovserve: building the default model (random distilgpt2-shaped GPT-2, FP16) in " + ir);
        Path hf = home.resolve("models/distilgpt2-random-hf");
        RandomModelCommand.write(hf, Gpt2Shape.DISTILGPT2, SEED, 0.02, RandomModelCommand.TokenizerKind.gpt2);
        Path tmp = Files.createTempDirectory(home.resolve("models"), "convert");
        Gpt2IrConverter.convert(hf, tmp, WeightFormat.FP16);
        // Move into place last, so an interrupted build is never mistaken for a finished one.
        if (Files.exists(ir)) {
            try (var files = Files.walk(ir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.move(tmp, ir);
        return ir;
    }
}

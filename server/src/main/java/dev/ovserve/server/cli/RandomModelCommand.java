package dev.ovserve.server.cli;

import dev.ovserve.models.Gpt2Shape;
import dev.ovserve.models.LlamaConfig;
import dev.ovserve.models.RandomGpt2Generator;
import dev.ovserve.models.RandomLlamaGenerator;
import dev.ovserve.tokenizer.TokenizerJson;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "random-model", description = "Write a random-weight model (GPT-2 or the Llama family) as a Hugging Face directory.")
final class RandomModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    enum TokenizerKind { gpt2, bytes }
    enum Arch { gpt2, llama, mistral, qwen2, qwen3 }

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;
    @Option(names = "--arch", defaultValue = "gpt2", description = "gpt2, llama, mistral, qwen2 or qwen3. Default: ${DEFAULT-VALUE}")
    Arch arch;
    @Option(names = "--kv-heads", description = "Llama family: key/value heads (grouped-query attention). Default: --heads.")
    Integer kvHeads;
    @Option(names = "--intermediate", description = "Llama family: MLP width. Default: 8/3 of --hidden, rounded up to 32.")
    Integer intermediate;
    @Option(names = "--layers", defaultValue = "6") int layers;
    @Option(names = "--heads", defaultValue = "12") int heads;
    @Option(names = "--hidden", defaultValue = "768") int hidden;
    @Option(names = "--vocab", defaultValue = "50257") int vocab;
    @Option(names = "--context", defaultValue = "1024") int context;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--init-std", defaultValue = "0.02", description = "Std of the normal weight init (HF uses 0.02).")
    double initStd;
    @Option(names = "--tokenizer",
            description = "gpt2 (GPT-2's real BPE, vocab must be 50257) or bytes (tiny byte-level). Default: gpt2 for"
                    + " --arch gpt2, bytes for the Llama family")
    TokenizerKind tokenizer;

    @Override
    public Integer call() throws Exception {
        if (arch != Arch.gpt2) {
            int inner = intermediate != null ? intermediate : (hidden * 8 / 3 + 31) / 32 * 32;
            LlamaConfig config = RandomLlamaGenerator.config(arch.name(), layers, hidden, inner, heads,
                    kvHeads != null ? kvHeads : heads, vocab, context);
            new RandomLlamaGenerator(config, seed, initStd).writeTo(out);
            writeTokenizer(out, vocab, tokenizer == null ? TokenizerKind.bytes : tokenizer);
            spec.commandLine().getOut().println("wrote " + out);
            return 0;
        }
        write(out, new Gpt2Shape(layers, heads, hidden, vocab, context), seed, initStd,
                tokenizer == null ? TokenizerKind.gpt2 : tokenizer);
        spec.commandLine().getOut().println("wrote " + out);
        return 0;
    }

    static void write(Path out, Gpt2Shape shape, long seed, double initStd, TokenizerKind tokenizer) throws Exception {
        new RandomGpt2Generator(shape, seed, initStd).writeTo(out);
        writeTokenizer(out, shape.vocab(), tokenizer);
    }

    private static void writeTokenizer(Path out, int vocab, TokenizerKind tokenizer) throws Exception {
        if (tokenizer == TokenizerKind.gpt2 && vocab != 50257) {
            throw new IllegalArgumentException("--tokenizer gpt2 needs --vocab 50257 (GPT-2's vocabulary); use --tokenizer bytes for tiny models");
        }
        switch (tokenizer) {
            case gpt2 -> TokenizerJson.gpt2(TokenizerJson.locateGpt2Bpe(), out);
            case bytes -> TokenizerJson.bytes(vocab, out);
        }
    }
}

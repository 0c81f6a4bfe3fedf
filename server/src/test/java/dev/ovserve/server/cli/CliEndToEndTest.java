package dev.ovserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.TinyModels;
import dev.ovserve.models.reference.Gpt2Reference;
import dev.ovserve.tokenizer.HfTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: random-model → convert → generate, on the real runtime. */
class CliEndToEndTest {
    @TempDir
    static Path dir;
    static Path hf;
    static Path ir;

    record Run(int status, String out, String err) {
        List<String> lines() {
            return Arrays.asList(out.split("\n"));
        }

        int[] ids() {
            List<String> l = lines();
            return Arrays.stream(l.getLast().trim().split(",")).mapToInt(Integer::parseInt).toArray();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(status, out.toString(), err.toString());
    }

    @BeforeAll
    static void buildModel() {
        hf = dir.resolve("hf");
        ir = dir.resolve("ir");
        var s = TinyModels.SHAPE;
        Run made = run("random-model", "--out", hf.toString(), "--layers", "" + s.layers(), "--heads", "" + s.heads(),
                "--hidden", "" + s.hidden(), "--vocab", "" + s.vocab(), "--context", "" + s.context(),
                "--seed", "" + TinyModels.SEED, "--init-std", "" + TinyModels.STD, "--tokenizer", "bytes");
        assertEquals(0, made.status(), made.err());
        Run converted = run("convert", "--in", hf.toString(), "--out", ir.toString(), "--weights", "fp32");
        assertEquals(0, converted.status(), converted.err());
        for (String f : List.of("openvino_model.xml", "openvino_model.bin", "config.json", "generation_config.json", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(ir.resolve(f)), f + " beside the IR");
        }
    }

    private static List<String> exact(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--property", "INFERENCE_PRECISION_HINT=f32", "--property", "KV_CACHE_PRECISION=f32"));
        return a;
    }

    @Test
    void greedyIdsEqualTheReferenceImplementation() throws Exception {
        int[] prompt = {10, 20, 30, 40, 50, 60, 70, 80};
        Run r = run(exact("generate", "--model", ir.toString(), "--prompt-ids", "10,20,30,40,50,60,70,80",
                "--max-tokens", "32", "--ignore-eos", "--print-token-ids").toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(Gpt2Reference.load(hf).greedy(prompt, 32), r.ids());
        assertTrue(r.err().contains("ttft_ms=") && r.err().contains("decode_tokens_per_s=") && r.err().contains("device=CPU"), r.err());
    }

    @Test
    void repeatedPromptIdsAreSeveralPrompts() throws Exception {
        Run r = run(exact("generate", "--model", ir.toString(), "--prompt-ids", "10,20,30", "--prompt-ids", "40,50",
                "--max-tokens", "8", "--ignore-eos", "--print-token-ids").toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        Gpt2Reference reference = Gpt2Reference.load(hf);
        List<String> idLines = r.lines().stream().filter(l -> l.matches("\\d+(,\\d+)*")).toList();
        assertEquals(2, idLines.size(), r.out());
        assertEquals(Arrays.toString(reference.greedy(new int[] {10, 20, 30}, 8)), Arrays.toString(parse(idLines.get(0))));
        assertEquals(Arrays.toString(reference.greedy(new int[] {40, 50}, 8)), Arrays.toString(parse(idLines.get(1))));
        assertEquals(2, r.err().lines().filter(l -> l.startsWith("prompt_tokens=")).count(), r.err());
        assertTrue(r.err().contains("prompt_tokens=3") && r.err().contains("prompt_tokens=2"), r.err());
    }

    private static int[] parse(String line) {
        return Arrays.stream(line.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void kvCachePrecisionPropertyIsHonoured() {
        for (String precision : List.of("f16", "f32")) {
            Run r = run("generate", "--model", ir.toString(), "--prompt-ids", "1,2", "--max-tokens", "2", "--property",
                    "KV_CACHE_PRECISION=" + precision);
            assertEquals(0, r.status(), r.err());
            assertTrue(r.err().contains("kv_cache=" + precision + " "), "the cache is kept in the precision asked for: " + r.err());
        }
        try (var core = new dev.ovserve.openvino.Core();
             var runner = dev.ovserve.models.paged.PagedModelRunner.load(core, ir,
                     dev.ovserve.models.paged.PagedModelOptions.cpu(0.002).withProperties(java.util.Map.of("KV_CACHE_PRECISION", "f16")))) {
            assertEquals("f16", runner.kvLayout().keyType().toString().toLowerCase(), runner.kvLayout().toString());
            assertEquals(TinyModels.SHAPE.layers(), runner.kvLayout().layers());
            assertEquals(TinyModels.SHAPE.heads(), runner.kvLayout().kvHeads());
            assertEquals(TinyModels.SHAPE.hidden() / TinyModels.SHAPE.heads(), runner.kvLayout().headSize());
        }
    }

    @Test
    void streamedTextIsTheDecodedIds() throws Exception {
        Run r = run(exact("generate", "--model", ir.toString(), "--prompt", "Hello, wörld! 😀", "--max-tokens", "24",
                "--ignore-eos", "--print-token-ids").toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        int[] ids = r.ids();
        assertEquals(24, ids.length);
        String text = r.out().substring(0, r.out().lastIndexOf('\n', r.out().length() - 2));
        try (HfTokenizer t = HfTokenizer.load(ir)) {
            assertEquals(t.decode(ids, true), text);
        }
    }

    @Test
    void sameSeedSameTextOtherSeedOtherText() {
        String[] base = {"generate", "--model", ir.toString(), "--prompt-ids", "1,2,3", "--max-tokens", "24",
                "--temperature", "1.0", "--ignore-eos", "--print-token-ids", "--seed"};
        Run a = run(concat(base, "7"));
        Run b = run(concat(base, "7"));
        Run c = run(concat(base, "8"));
        assertArrayEquals(a.ids(), b.ids());
        assertNotEquals(Arrays.toString(a.ids()), Arrays.toString(c.ids()));
    }

    @Test
    void badInputGetsAClearMessageNotAStackTrace() {
        Run outOfVocab = run("generate", "--model", ir.toString(), "--prompt-ids", "1,99999", "--max-tokens", "4");
        assertEquals(1, outOfVocab.status());
        assertTrue(outOfVocab.err().contains("outside the vocabulary"), outOfVocab.err());
        assertFalse(outOfVocab.err().contains("\tat "), "no stack trace: " + outOfVocab.err());

        Run noModel = run("generate", "--model", dir.resolve("missing").toString(), "--prompt", "x");
        assertEquals(1, noModel.status());
        assertTrue(noModel.err().contains("does not exist"), noModel.err());

        Run badWeights = run("convert", "--in", hf.toString(), "--out", dir.resolve("x").toString(), "--weights", "int3");
        assertEquals(1, badWeights.status());
        assertTrue(badWeights.err().contains("int3"), badWeights.err());

        Run bothPrompts = run("generate", "--model", ir.toString(), "--prompt", "x", "--prompt-ids", "1");
        assertEquals(2, bothPrompts.status(), "usage error");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package dev.ovserve.models.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovserve.models.GenerationConfig;
import dev.ovserve.models.LlamaConfig;
import dev.ovserve.models.RandomLlamaGenerator;
import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.StatefulSession;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.ModelConverter;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.ir.WeightOptions;
import dev.ovserve.models.reference.LlamaReference;
import dev.ovserve.openvino.CompiledModel;
import dev.ovserve.openvino.Core;
import dev.ovserve.openvino.Model;
import dev.ovserve.openvino.PagedAttentionHelper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny random Llama written to GGUF by the gguf package the way llama.cpp's converter does
 * (q/k rows interleaved), converted by us and run on OpenVINO: the F32 GGUF against the plain-Java
 * reference on the original safetensors, the Q4_1 GGUF kept as 4-bit blocks against the same
 * GGUF dequantized first.
 */
class GgufConverterTest {
    /** What make_fixtures.py's TINY_LLAMA_ARGS give random-model. */
    static final LlamaConfig TINY = RandomLlamaGenerator.config("llama", 2, 32, 64, 4, 2, 300, 64);
    static final int[] PROMPT = {256, 104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 5, 77, 299};

    @TempDir
    static Path dir;
    static Path fixtures;
    static Core core;

    @BeforeAll
    static void start() throws Exception {
        fixtures = Path.of(GgufConverterTest.class.getResource("/gguf/tiny-llama-f32.gguf").toURI()).getParent();
        core = new Core();
    }

    @AfterAll
    static void stop() {
        core.close();
    }

    @Test
    void f32GgufMatchesTheReferenceOnTheOriginalWeights() throws Exception {
        Path hf = new RandomLlamaGenerator(TINY, 5, 0.2).writeTo(dir.resolve("hf"));
        LlamaReference reference = LlamaReference.load(hf);
        Path ir = dir.resolve("from-f32-gguf");
        ModelConverter.convert(fixtures.resolve("tiny-llama-f32.gguf"), ir, WeightOptions.of(WeightFormat.FP32));
        assertEquals(TINY.numKvHeads(), LlamaConfig.load(ir).numKvHeads());
        assertEquals(TINY.ropeTheta(), LlamaConfig.load(ir).ropeTheta(), 1e-9);
        float[][] expected = reference.logits(PROMPT);
        assertClose(expected, run(ir), 1e-3, "f32 GGUF vs reference");
    }

    @Test
    void q41BlocksKeptMatchTheDequantizedGguf() throws Exception {
        Path kept = dir.resolve("q4_1-kept");
        Path dequantized = dir.resolve("q4_1-dequantized");
        ModelConverter.convert(fixtures.resolve("tiny-llama-q4_1.gguf"), kept, null);
        ModelConverter.convert(fixtures.resolve("tiny-llama-q4_1.gguf"), dequantized, WeightOptions.of(WeightFormat.FP32));
        String xml = Files.readString(kept.resolve("openvino_model.xml"));
        assertTrue(xml.contains("element_type=\"u4\"") && xml.contains("/zero_point"), "4-bit codes with zero points in the IR");
        assertTrue(!Files.readString(dequantized.resolve("openvino_model.xml")).contains("element_type=\"u4\""));
        assertTrue(Files.size(kept.resolve("openvino_model.bin")) * 2 < Files.size(dequantized.resolve("openvino_model.bin")));
        // the CPU plugin's matrix kernels read the 4-bit codes (7 matrices a layer and the LM head), none folded to f32
        try (Model m = core.readModel(kept.resolve("openvino_model.xml"));
             CompiledModel cm = core.compileModel(m, "CPU", java.util.Map.of());
             Model runtime = cm.runtimeModel()) {
            var layers = PagedAttentionHelper.layerPrecisions(runtime);
            assertTrue(layers.getOrDefault("FullyConnected/u4", 0) >= 2 * 7 + 1, layers.toString());
            assertTrue(!layers.containsKey("FullyConnected/f32"), "weights folded to f32: " + layers);
        }
        float[] a = run(kept);
        float[] b = run(dequantized);
        int vocab = TINY.vocabSize();
        float[][] rows = new float[PROMPT.length][];
        for (int t = 0; t < rows.length; t++) {
            rows[t] = java.util.Arrays.copyOfRange(b, t * vocab, (t + 1) * vocab);
        }
        assertClose(rows, a, 1e-3, "Q4_1 kept vs dequantized");
    }

    @Test
    void writesTokenizerConfigAndTemplateFromTheGguf() throws Exception {
        Path out = dir.resolve("files");
        ModelConverter.convert(fixtures.resolve("tiny-llama-q4_1.gguf"), out, null);
        ObjectMapper json = new ObjectMapper();
        JsonNode tok = json.readTree(out.resolve("tokenizer.json").toFile());
        assertEquals(300, tok.get("model").get("vocab").size());
        assertEquals("ByteLevel", tok.get("decoder").get("type").asText());
        assertEquals(false, tok.get("model").get("byte_fallback").asBoolean());
        JsonNode added = tok.get("added_tokens");
        assertEquals(1, added.size());
        assertEquals("<|endoftext|>", added.get(0).get("content").asText());
        assertTrue(added.get(0).get("special").asBoolean());
        try (GgufFile gguf = GgufFile.open(fixtures.resolve("tiny-llama-q4_1.gguf"))) {
            List<?> merges = (List<?>) gguf.metadata().get("tokenizer.ggml.merges");
            assertEquals(merges.size(), tok.get("model").get("merges").size());
            for (int i = 0; i < merges.size(); i++) {
                assertEquals(merges.get(i), tok.get("model").get("merges").get(i).asText(), "merges keep their order");
            }
        }
        JsonNode config = json.readTree(out.resolve("tokenizer_config.json").toFile());
        assertEquals("<|endoftext|>", config.get("eos_token").asText());
        assertEquals(false, config.get("add_bos_token").asBoolean());
        assertTrue(config.get("chat_template").asText().contains("<|im_start|>"));
        assertEquals(config.get("chat_template").asText(), Files.readString(out.resolve("chat_template.jinja")));
        assertEquals(List.of(256), GenerationConfig.load(out).eosTokenIds());
    }

    private float[] run(Path ir) {
        try (StatefulModel model = StatefulModel.load(core, ir, "CPU", TinyModels.EXACT);
             StatefulSession s = model.newSession()) {
            return s.append(PROMPT);
        }
    }

    static void assertClose(float[][] expected, float[] got, double tolerance, String what) {
        int vocab = expected[0].length;
        double worst = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < vocab; v++) {
                worst = Math.max(worst, Math.abs(expected[t][v] - got[t * vocab + v]));
            }
        }
        System.out.printf("%s: max abs logit difference %.3g%n", what, worst);
        assertTrue(worst <= tolerance, what + ": max abs logit difference " + worst + " > " + tolerance);
    }
}

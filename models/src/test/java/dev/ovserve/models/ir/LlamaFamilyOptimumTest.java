package dev.ovserve.models.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovserve.models.LlamaConfig;
import dev.ovserve.models.RandomLlamaGenerator;
import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.StatefulSession;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.reference.Gpt2Reference;
import dev.ovserve.openvino.Core;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our converter against optimum-intel on the same safetensors: optimum/make_fixtures.py had
 * {@code random-model --arch FAMILY} write each model, exported it with optimum-cli and recorded
 * OVModelForCausalLM's greedy ids (fp32 and fp16 weights, f32 inference). We regenerate the same
 * directories, convert them ourselves and must produce the same ids: all 32 at fp32; at fp16 the
 * ids may part only where our two best logits are a near tie (the margin is printed).
 */
class LlamaFamilyOptimumTest {
    /** fp16 rounding moves logits by ~1e-2 here; a parting with a wider top-2 gap is a real difference. */
    static final double FP16_TIE = 0.05;

    @TempDir
    static Path dir;
    static Core core;
    static JsonNode fixture;

    @BeforeAll
    static void start() throws Exception {
        core = new Core();
        fixture = new ObjectMapper().readTree(LlamaFamilyOptimumTest.class.getResource("/optimum/llama-family-greedy.json"));
    }

    @AfterAll
    static void stop() {
        core.close();
    }

    static Stream<String> families() {
        return Stream.of("llama", "mistral", "qwen2", "qwen3");
    }

    static Path hfDir(String family) throws Exception {
        JsonNode a = fixture.get("families").get(family).get("args");
        LlamaConfig config = RandomLlamaGenerator.config(family, a.get("layers").asInt(), a.get("hidden").asInt(),
                a.get("intermediate").asInt(), a.get("heads").asInt(), a.get("kv_heads").asInt(), a.get("vocab").asInt(),
                a.get("context").asInt());
        Path hf = dir.resolve(family + "-hf");
        if (!hf.toFile().exists()) {
            new RandomLlamaGenerator(config, a.get("seed").asLong(), a.get("init_std").asDouble()).writeTo(hf);
        }
        return hf;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void fp32GreedyIdsEqualOptimumIntels(String family) throws Exception {
        Path ir = dir.resolve(family + "-fp32");
        ModelConverter.convert(hfDir(family), ir, WeightOptions.of(WeightFormat.FP32));
        JsonNode want = fixture.get("families").get(family).get("optimum_fp32");
        List<Greedy> got = greedy(ir);
        for (int p = 0; p < got.size(); p++) {
            assertEquals(ids(want.get(p)), got.get(p).ids(), family + " prompt " + p);
        }
        // transformers (PyTorch) agreed with optimum-intel when the fixture was made
        assertEquals(fixture.get("families").get(family).get("transformers"), want, family + ": fixture's own cross-check");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void fp16GreedyIdsEqualOptimumIntelsUpToNearTies(String family) throws Exception {
        Path ir = dir.resolve(family + "-fp16");
        ModelConverter.convert(hfDir(family), ir, WeightOptions.of(WeightFormat.FP16));
        JsonNode want = fixture.get("families").get(family).get("optimum_fp16");
        List<Greedy> got = greedy(ir);
        for (int p = 0; p < got.size(); p++) {
            List<Integer> expected = ids(want.get(p));
            Greedy g = got.get(p);
            int same = 0;
            while (same < expected.size() && expected.get(same).equals(g.ids().get(same))) {
                same++;
            }
            if (same == expected.size()) {
                System.out.printf("%s fp16 prompt %d: %d/%d ids equal%n", family, p, same, expected.size());
            } else {
                double margin = g.gaps().get(same);
                System.out.printf("%s fp16 prompt %d: %d/%d ids equal, parting at step %d where our top-2 margin is %.4f%n",
                        family, p, same, expected.size(), same, margin);
                assertTrue(margin < FP16_TIE, family + " prompt " + p + " parts from optimum-intel at step " + same
                        + " with a clear margin " + margin);
            }
        }
    }

    record Greedy(List<Integer> ids, List<Double> gaps) {}

    static List<Greedy> greedy(Path ir) {
        int steps = fixture.get("steps").asInt();
        List<Greedy> out = new ArrayList<>();
        try (StatefulModel model = StatefulModel.load(core, ir, "CPU", TinyModels.EXACT)) {
            int vocab = model.vocabSize();
            for (JsonNode prompt : fixture.get("prompts")) {
                int[] p = ids(prompt).stream().mapToInt(Integer::intValue).toArray();
                List<Integer> ids = new ArrayList<>();
                List<Double> gaps = new ArrayList<>();
                try (StatefulSession s = model.newSession()) {
                    float[] logits = s.append(p);
                    int offset = (p.length - 1) * vocab;
                    for (int i = 0; i < steps; i++) {
                        float[] row = Arrays.copyOfRange(logits, offset, offset + vocab);
                        gaps.add(Gpt2Reference.topTwoGap(row));
                        ids.add(Gpt2Reference.argmax(row));
                        logits = s.append(new int[] {ids.getLast()});
                        offset = 0;
                    }
                }
                out.add(new Greedy(ids, gaps));
            }
        }
        return out;
    }

    static List<Integer> ids(JsonNode array) {
        List<Integer> ids = new ArrayList<>();
        array.forEach(n -> ids.add(n.asInt()));
        return ids;
    }
}

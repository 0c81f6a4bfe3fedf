package dev.ovserve.models.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.StatefulSession;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.ModelConverter;
import dev.ovserve.models.reference.Gpt2Reference;
import dev.ovserve.openvino.Core;
import dev.ovserve.openvino.NativeLibs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real default model, SmolLM2-135M-Instruct, converted from its Q4_1 GGUF by our Java code
 * (blocks kept as 4-bit decompression subgraphs), against transformers on the same GGUF
 * dequantized to float32 (smollm2/make_reference.py): greedy answers to 10 chat prompts and the
 * perplexity of a public-domain passage, both at f32 inference precision.
 */
class SmolLM2ReferenceTest {
    static final String GGUF = "smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";

    @TempDir
    static Path dir;
    static Core core;
    static StatefulModel model;
    static JsonNode reference;

    @BeforeAll
    static void load() throws Exception {
        Path gguf = NativeLibs.homeDir().resolve(GGUF);
        assertTrue(Files.isRegularFile(gguf), gguf + " is missing: scripts/setup.sh stages it");
        reference = new ObjectMapper().readTree(SmolLM2ReferenceTest.class.getResource("/smollm2/transformers-reference.json"));
        ModelConverter.convert(gguf, dir.resolve("ir"), null);
        core = new Core();
        model = StatefulModel.load(core, dir.resolve("ir"), "CPU", TinyModels.EXACT);
    }

    @AfterAll
    static void close() {
        model.close();
        core.close();
    }

    @Test
    void greedyAnswersEqualTransformers() {
        int maxNew = reference.get("max_new_tokens").asInt();
        int eos = reference.get("eos").asInt();
        int vocab = model.vocabSize();
        int equal = 0;
        List<String> report = new ArrayList<>();
        for (JsonNode chat : reference.get("chats")) {
            int[] prompt = ints(chat.get("prompt_ids"));
            int[] want = ints(chat.get("greedy_ids"));
            List<Integer> got = new ArrayList<>();
            try (StatefulSession s = model.newSession()) {
                float[] logits = s.append(prompt);
                int offset = (prompt.length - 1) * vocab;
                for (int i = 0; i < maxNew; i++) {
                    int next = Gpt2Reference.argmax(Arrays.copyOfRange(logits, offset, offset + vocab));
                    got.add(next);
                    if (next == eos) {
                        break;
                    }
                    logits = s.append(new int[] {next});
                    offset = 0;
                }
            }
            int same = 0;
            while (same < want.length && same < got.size() && want[same] == got.get(same)) {
                same++;
            }
            if (same == want.length && got.size() == want.length) {
                equal++;
                report.add(chat.get("question").asText() + ": equal (" + want.length + " tokens)");
            } else {
                report.add(chat.get("question").asText() + ": parts at step " + same + " where transformers' top-2 margin is "
                        + chat.get("top2_gaps").get(same).asDouble());
            }
        }
        report.forEach(System.out::println);
        assertEquals(reference.get("chats").size(), equal, String.join("\n", report));
    }

    @Test
    void perplexityIsWithinOnePercentOfTransformers() {
        int[] ids = ints(reference.get("perplexity").get("ids"));
        int vocab = model.vocabSize();
        double nll = 0;
        try (StatefulSession s = model.newSession()) {
            float[] logits = s.append(ids);
            for (int t = 0; t + 1 < ids.length; t++) {
                int base = t * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, logits[base + v]);
                }
                double sum = 0;
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(logits[base + v] - max);
                }
                nll -= logits[base + ids[t + 1]] - max - Math.log(sum);
            }
        }
        double ours = Math.exp(nll / (ids.length - 1));
        double theirs = reference.get("perplexity").get("value").asDouble();
        System.out.printf("perplexity over %d predictions: ours %.4f, transformers %.4f (%.3f%%)%n", ids.length - 1, ours, theirs,
                100 * (ours / theirs - 1));
        assertTrue(Math.abs(ours / theirs - 1) < 0.01, "ours " + ours + " vs transformers " + theirs);
        assertTrue(ours < 30, "a real model reads the Gettysburg Address with low perplexity, got " + ours);
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}

package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovserve.models.ir.ModelConverter;
import dev.ovserve.openvino.NativeLibs;
import dev.ovserve.scheduler.engine.SchedulerConfig;
import dev.ovserve.tokenizer.HfTokenizer;
import dev.ovserve.tokenizer.chat.ChatMessage;
import dev.ovserve.tokenizer.chat.ChatTemplate;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default model as a user meets it: SmolLM2-135M-Instruct converted from its GGUF by our Java
 * code, its tokenizer.json and chat template rendering the 10 reference conversations to exactly
 * the strings and ids transformers produced (models' smollm2/make_reference.py), and a real HTTP
 * chat completion answering with transformers' greedy answer.
 */
class SmolLM2ServingTest {
    @TempDir
    static Path dir;
    static Path ir;
    static JsonNode reference;

    @BeforeAll
    static void convert() throws Exception {
        Path gguf = NativeLibs.homeDir().resolve("smollm2/SmolLM2-135M-Instruct.Q4_1.gguf");
        assertTrue(Files.isRegularFile(gguf), gguf + " is missing: scripts/setup.sh stages it");
        // the fixture lives with the models module's test that checks the model's numbers
        reference = Http.JSON.readTree(Path.of("../models/src/test/resources/smollm2/transformers-reference.json").toFile());
        ir = dir.resolve("smollm2");
        ModelConverter.convert(gguf, ir, null);
    }

    @Test
    void chatTemplateAndTokenizerGiveTransformersPromptsAndIds() throws Exception {
        ChatTemplate template = ChatTemplate.load(ir);
        try (HfTokenizer tokenizer = HfTokenizer.load(ir)) {
            for (JsonNode chat : reference.get("chats")) {
                String rendered = template.render(List.of(new ChatMessage("user", chat.get("question").asText())), true);
                assertEquals(chat.get("prompt").asText(), rendered, "rendered prompt");
                int[] want = new int[chat.get("prompt_ids").size()];
                for (int i = 0; i < want.length; i++) {
                    want[i] = chat.get("prompt_ids").get(i).asInt();
                }
                assertArrayEquals(want, tokenizer.encode(rendered, false), "prompt ids of " + chat.get("question"));
                int[] answer = new int[chat.get("greedy_ids").size()];
                for (int i = 0; i < answer.length; i++) {
                    answer[i] = chat.get("greedy_ids").get(i).asInt();
                }
                // the decoder is plain byte-level: no Ġ/Ċ, special tokens skipped
                assertEquals(chat.get("answer").asText(), tokenizer.decode(answer, true));
            }
            assertEquals(2, tokenizer.tokenToId("<|im_end|>").orElseThrow());
        }
    }

    @Test
    void answersOverHttpAsTransformersDoes() throws Exception {
        try (TinyServer server = TinyServer.start(ir, new SchedulerConfig(4, 192, 192, 8, true), null, Limits.DEFAULT)) {
            HttpClient client = Http.client();
            JsonNode chat = reference.get("chats").get(0);
            Http.Reply r = Http.post(client, server, "/v1/chat/completions", Http.JSON.createObjectNode()
                    .put("max_tokens", reference.get("max_new_tokens").asInt()).put("temperature", 0)
                    .set("messages", Http.JSON.createArrayNode().add(Http.JSON.createObjectNode().put("role", "user")
                            .put("content", chat.get("question").asText()))).toString());
            assertEquals(200, r.status(), r.body());
            JsonNode body = Http.JSON.readTree(r.body());
            assertEquals(chat.get("answer").asText(), body.get("choices").get(0).get("message").get("content").asText());
            assertEquals("stop", body.get("choices").get(0).get("finish_reason").asText(), "stopped at <|im_end|>");
            assertEquals(chat.get("prompt_ids").size(), body.get("usage").get("prompt_tokens").asInt());
        }
    }
}

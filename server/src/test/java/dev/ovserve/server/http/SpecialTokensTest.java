package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovserve.models.reference.Gpt2Reference;
import java.net.http.HttpClient;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tokenizer that adds BOS, as Llama-style ones do: a completions prompt is encoded as Hugging
 * Face's {@code tokenizer(text)} does (BOS first), while a rendered chat template is encoded
 * without adding specials (the template writes its own). Usage and output show which was done.
 */
class SpecialTokensTest {
    static TinyServer server;
    static HttpClient http;
    static Gpt2Reference reference;

    @BeforeAll
    static void start() throws Exception {
        server = TinyServer.startWithBosTokenizer();
        http = Http.client();
        reference = Gpt2Reference.load(server.hfDir);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void completionPromptsGetTheBos() throws Exception {
        String prompt = "Tell me";
        int[] ids = server.tokenizer.encode(prompt, true);
        assertEquals(TinyServer.BOS, ids[0], "the test tokenizer adds BOS: " + Arrays.toString(ids));
        Http.Reply r = Http.post(http, server, "/v1/completions",
                "{\"prompt\":\"" + prompt + "\",\"max_tokens\":8,\"temperature\":0,\"ignore_eos\":true}");
        assertEquals(200, r.status(), r::body);
        JsonNode json = r.json();
        assertEquals(ids.length, json.path("usage").path("prompt_tokens").asInt(), json::toString);
        assertEquals(server.decode(reference.greedy(ids, 8)), json.path("choices").get(0).path("text").asText());
    }

    @Test
    void renderedChatTemplatesGetNoExtraBos() throws Exception {
        int[] ids = server.tokenizer.encode("user: Tell me\nassistant:", false);
        Http.Reply r = Http.post(http, server, "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me\"}],\"max_tokens\":8,\"temperature\":0,\"ignore_eos\":true}");
        assertEquals(200, r.status(), r::body);
        JsonNode json = r.json();
        assertEquals(ids.length, json.path("usage").path("prompt_tokens").asInt(), json::toString);
        assertEquals(server.decode(reference.greedy(ids, 8)), json.path("choices").get(0).path("message").path("content").asText());
    }
}

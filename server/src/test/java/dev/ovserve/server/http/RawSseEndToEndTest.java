package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovserve.models.reference.Gpt2Reference;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire format itself, read with the JDK HttpClient as raw Server-Sent Events and parsed with
 * Jackson: content type, one JSON object per {@code data:} event, {@code data: [DONE]} last,
 * events flushed while generation is still going, usage chunk, and streamed text equal to the
 * non-streamed text and to the reference model's greedy output.
 */
class RawSseEndToEndTest {
    static final String PROMPT = "Once upon a time";

    static TinyServer server;
    static HttpClient http;
    static Gpt2Reference reference;

    @BeforeAll
    static void start() throws Exception {
        server = TinyServer.start();
        http = Http.client();
        reference = Gpt2Reference.load(server.hfDir);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    @Test
    void completionStreamIsWellFormedAndEqualsTheWholeResponse() throws Exception {
        String body = json("{'model':'tiny','prompt':'" + PROMPT + "','max_tokens':16,'temperature':0,'ignore_eos':true");
        Http.Reply whole = Http.post(http, server, "/v1/completions", body + "}");
        assertEquals(200, whole.status(), whole::body);
        String wholeText = whole.json().path("choices").get(0).path("text").asText();
        assertEquals(server.decode(reference.greedy(server.encode(PROMPT), 16)), wholeText, "greedy equals the reference");

        Sse.Stream s = Sse.postOk(http, server, "/v1/completions", body + json(",'stream':true}"));
        Set<String> ids = new HashSet<>();
        for (JsonNode e : s.events()) {
            assertEquals("text_completion", e.path("object").asText(), e::toString);
            assertEquals("tiny", e.path("model").asText());
            ids.add(e.path("id").asText());
            assertFalse(e.has("usage") && !e.get("usage").isNull(), () -> "no usage unless asked: " + e);
            for (JsonNode c : e.path("choices")) {
                assertEquals(0, c.path("index").asInt());
                assertTrue(c.path("text").isTextual(), c::toString);
            }
        }
        assertEquals(1, ids.size(), "one id for every chunk: " + ids);
        assertTrue(ids.iterator().next().startsWith("cmpl-"), ids::toString);
        assertEquals(wholeText, s.text(0), "streamed text equals the whole response's");
        assertEquals("length", s.finishReason(0));
    }

    @Test
    void streamedTokenPromptEqualsTheEngineOnItsOwn() throws Exception {
        int[] prompt = {5, 17, 99, 200, 301, 42};
        int[] engine = EngineRun.greedy(server.engine, prompt, 20);
        Sse.Stream s = Sse.postOk(http, server, "/v1/completions", json("{'model':'tiny','prompt':" + Arrays.toString(prompt)
                + ",'max_tokens':20,'temperature':0,'ignore_eos':true,'stream':true}"));
        assertEquals(server.decode(engine), s.text(0));
        assertEquals(server.decode(reference.greedy(prompt, 20)), s.text(0));
    }

    @Test
    void includeUsageEndsWithAUsageChunkWithoutChoices() throws Exception {
        Sse.Stream s = Sse.postOk(http, server, "/v1/completions", json("{'model':'tiny','prompt':'" + PROMPT
                + "','max_tokens':7,'ignore_eos':true,'stream':true,'stream_options':{'include_usage':true}}"));
        List<JsonNode> events = s.events();
        for (JsonNode e : events.subList(0, events.size() - 1)) {
            assertTrue(e.has("usage") && e.get("usage").isNull(), () -> "usage: null before the last chunk: " + e);
        }
        JsonNode last = events.getLast();
        assertEquals(0, last.path("choices").size(), () -> "no choices in the usage chunk: " + last);
        JsonNode usage = last.path("usage");
        int promptTokens = server.encode(PROMPT).length;
        assertEquals(promptTokens, usage.path("prompt_tokens").asInt(), usage::toString);
        assertEquals(7, usage.path("completion_tokens").asInt(), usage::toString);
        assertEquals(promptTokens + 7, usage.path("total_tokens").asInt(), usage::toString);
        assertEquals("length", s.finishReason(0));

        Sse.Stream chat = Sse.postOk(http, server, "/v1/chat/completions", json("{'model':'tiny','messages':[{'role':'user',"
                + "'content':'hi'}],'max_tokens':5,'ignore_eos':true,'stream':true,'stream_options':{'include_usage':true}}"));
        JsonNode chatUsage = chat.events().getLast().path("usage");
        assertEquals(0, chat.events().getLast().path("choices").size());
        assertEquals(server.encode("user: hi\nassistant:").length, chatUsage.path("prompt_tokens").asInt(), chatUsage::toString);
        assertEquals(5, chatUsage.path("completion_tokens").asInt());
    }

    @Test
    void chatStreamOpensWithTheRoleAndEqualsTheWholeReply() throws Exception {
        String body = json("{'model':'tiny','messages':[{'role':'system','content':'Be brief.'},{'role':'user','content':'"
                + PROMPT + "'}],'max_tokens':12,'temperature':0,'ignore_eos':true");
        Http.Reply whole = Http.post(http, server, "/v1/chat/completions", body + "}");
        assertEquals(200, whole.status(), whole::body);
        JsonNode message = whole.json().path("choices").get(0).path("message");
        assertEquals("assistant", message.path("role").asText());
        int[] rendered = server.encode("system: Be brief.\nuser: " + PROMPT + "\nassistant:");
        assertEquals(server.decode(reference.greedy(rendered, 12)), message.path("content").asText());
        assertEquals(rendered.length, whole.json().path("usage").path("prompt_tokens").asInt());

        Sse.Stream s = Sse.postOk(http, server, "/v1/chat/completions", body + json(",'stream':true}"));
        JsonNode first = s.events().getFirst();
        assertEquals("chat.completion.chunk", first.path("object").asText());
        assertEquals("assistant", first.path("choices").get(0).path("delta").path("role").asText(), first::toString);
        for (JsonNode e : s.events()) {
            assertEquals("chat.completion.chunk", e.path("object").asText());
            assertTrue(e.path("id").asText().startsWith("chatcmpl-"), e::toString);
        }
        assertEquals(message.path("content").asText(), s.text(0));
        assertEquals("length", s.finishReason(0));
    }

    @Test
    void eventsAreFlushedWhileGenerating() throws Exception {
        int maxTokens = 100;
        long before = server.engine.stats().generatedTokens();
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json("{'model':'tiny','prompt':[1,2,3],'max_tokens':" + maxTokens
                        + ",'ignore_eos':true,'stream':true}")))
                .build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        try (Sse sse = new Sse(r.body())) {
            String first = sse.next();
            long atFirst = server.engine.stats().generatedTokens() - before;
            assertNotNull(first);
            Http.JSON.readTree(first);
            assertTrue(atFirst < maxTokens, "the first event arrived while tokens were still being generated ("
                    + atFirst + " of " + maxTokens + " generated)");
            int events = 1;
            String last = first;
            for (String d = sse.next(); d != null; d = sse.next()) {
                events++;
                last = d;
            }
            assertEquals("[DONE]", last);
            assertTrue(events > 10, "tokens go out as they come, not in one lump: " + events + " events");
        }
    }

    @Test
    void stopStringCutsEveryChoiceOfEveryPrompt() throws Exception {
        // Greedy with n = 2: both choices produce the same text and each must stop at the stop string on its own.
        String full = Http.post(http, server, "/v1/completions", json("{'model':'tiny','prompt':'" + PROMPT
                + "','max_tokens':24,'temperature':0,'ignore_eos':true}")).json().path("choices").get(0).path("text").asText();
        String stop = OpenAiSdkEndToEndTest.stopStringIn(full);
        String expected = full.substring(0, full.indexOf(stop));
        String stopJson = Http.JSON.writeValueAsString(stop);

        Sse.Stream s = Sse.postOk(http, server, "/v1/completions", json("{'model':'tiny','prompt':'" + PROMPT
                + "','max_tokens':24,'temperature':0,'ignore_eos':true,'n':2,'stream':true,'stop':[") + stopJson + "]}");
        for (int i = 0; i < 2; i++) {
            assertEquals(expected, s.text(i), "choice " + i + " cut before " + stop);
            assertEquals("stop", s.finishReason(i));
        }
        for (String raw : s.raw()) {
            if (!raw.equals("[DONE]")) {
                for (JsonNode c : Http.JSON.readTree(raw).path("choices")) {
                    assertFalse(c.path("text").asText().contains(stop), "no chunk shows the stop string");
                }
            }
        }
    }

    @Test
    void severalPromptsGetIndexPromptTimesNPlusChoice() throws Exception {
        String[] prompts = {"The cat", "A dog barks"};
        Sse.Stream s = Sse.postOk(http, server, "/v1/completions", json("{'model':'tiny','prompt':['" + prompts[0] + "','"
                + prompts[1] + "'],'n':2,'max_tokens':6,'temperature':0,'ignore_eos':true,'stream':true,"
                + "'stream_options':{'include_usage':true}}"));
        Set<Integer> indices = s.choices().stream().map(c -> c.path("index").asInt()).collect(Collectors.toSet());
        assertEquals(Set.of(0, 1, 2, 3), indices);
        for (int p = 0; p < 2; p++) {
            String expected = server.decode(reference.greedy(server.encode(prompts[p]), 6));
            assertEquals(expected, s.text(2 * p), "prompt " + p + " choice 0");
            assertEquals(expected, s.text(2 * p + 1), "prompt " + p + " choice 1");
        }
        JsonNode usage = s.events().getLast().path("usage");
        assertEquals(server.encode(prompts[0]).length + server.encode(prompts[1]).length, usage.path("prompt_tokens").asInt(),
                usage::toString);
        assertEquals(4 * 6, usage.path("completion_tokens").asInt(), usage::toString);
    }

    @Test
    void streamedLogprobsCoverEveryToken() throws Exception {
        Sse.Stream s = Sse.postOk(http, server, "/v1/completions", json("{'model':'tiny','prompt':[7,8,9],'max_tokens':9,"
                + "'temperature':0,'ignore_eos':true,'logprobs':2,'stream':true}"));
        int tokens = 0;
        for (JsonNode c : s.choices()) {
            JsonNode lp = c.path("logprobs");
            if (lp.isNull() || lp.isMissingNode()) {
                continue;
            }
            int k = lp.path("tokens").size();
            assertEquals(k, lp.path("token_logprobs").size(), lp::toString);
            assertEquals(k, lp.path("top_logprobs").size(), lp::toString);
            assertEquals(k, lp.path("text_offset").size(), lp::toString);
            for (JsonNode top : lp.path("top_logprobs")) {
                assertTrue(top.size() >= 1 && top.size() <= 3, top::toString);
            }
            tokens += k;
        }
        assertEquals(9, tokens, "one logprob entry per generated token, over all chunks");
    }

    @Test
    void stopTokenIdWhileStreaming() throws Exception {
        int[] prompt = {7, 8, 9};
        int[] ids = reference.greedy(prompt, 16);
        int stopId = ids[4];
        int first = 0;
        while (ids[first] != stopId) {
            first++;
        }
        Sse.Stream s = Sse.postOk(http, server, "/v1/completions", json("{'model':'tiny','prompt':[7,8,9],'max_tokens':16,"
                + "'temperature':0,'ignore_eos':true,'stop_token_ids':[" + stopId + "],'stream':true,"
                + "'stream_options':{'include_usage':true}}"));
        assertEquals(server.decode(Arrays.copyOf(ids, first)), s.text(0));
        assertEquals("stop", s.finishReason(0));
        assertEquals(first + 1, s.events().getLast().path("usage").path("completion_tokens").asInt());
    }
}

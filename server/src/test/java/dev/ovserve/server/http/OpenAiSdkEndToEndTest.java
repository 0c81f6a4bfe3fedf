package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import dev.ovserve.models.reference.Gpt2Reference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK (OkHttp client) against the real server: what OpenAI clients do,
 * they can do here. Greedy outputs are checked token for token against the engine run directly
 * and against the pure-Java reference GPT-2, so any slip in tokenizing, detokenizing, stop
 * handling or response assembly shows up as different text.
 */
class OpenAiSdkEndToEndTest {
    static final int[] PROMPT_IDS = {10, 20, 30, 40, 50, 60, 70, 80};
    static final String TEXT_PROMPT = "Hello, w\u00f6rld! The quick brown fox";
    /** What the model's default chat template renders for one user message. */
    static final String CHAT_USER = "Say something.";
    static final String CHAT_RENDERED = "user: " + CHAT_USER + "\nassistant:";

    static TinyServer server;
    static OpenAIClient client;
    static Gpt2Reference reference;

    @BeforeAll
    static void start() throws Exception {
        server = TinyServer.start();
        client = server.sdk();
        reference = Gpt2Reference.load(server.hfDir);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static CompletionCreateParams.Builder completion() {
        return CompletionCreateParams.builder().model(TinyServer.MODEL)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true));
    }

    static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model(TinyServer.MODEL).addUserMessage(CHAT_USER)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true));
    }

    static void assertUsage(CompletionUsage usage, long prompt, long completion) {
        assertEquals(prompt, usage.promptTokens(), "usage.prompt_tokens");
        assertEquals(completion, usage.completionTokens(), "usage.completion_tokens");
        assertEquals(prompt + completion, usage.totalTokens(), "usage.total_tokens");
    }

    // ---- greedy output equals the engine's and the reference model's

    @Test
    void greedyTokenPromptEqualsEngineAndReference() throws Exception {
        int n = 16;
        int[] expected = reference.greedy(PROMPT_IDS, n);
        assertArrayEquals(expected, EngineRun.greedy(server.engine, PROMPT_IDS, n), "engine alone equals the reference");

        Completion c = client.completions().create(completion().promptOfArrayOfTokens(TinyServer.longs(PROMPT_IDS))
                .maxTokens(n).temperature(0.0).build()).validate();
        assertEquals(1, c.choices().size());
        CompletionChoice choice = c.choices().getFirst();
        assertEquals(server.decode(expected), choice.text(), "HTTP text is the decoded greedy ids");
        assertEquals(CompletionChoice.FinishReason.Known.LENGTH, choice.finishReason().known());
        assertEquals(TinyServer.MODEL, c.model());
        assertUsage(c.usage().orElseThrow(), PROMPT_IDS.length, n);
    }

    @Test
    void greedyTextPromptEqualsEngineAndReference() throws Exception {
        int n = 20;
        int[] ids = server.encode(TEXT_PROMPT);
        assertTrue(ids.length > 5, "the text tokenizes");
        int[] expected = reference.greedy(ids, n);
        assertArrayEquals(expected, EngineRun.greedy(server.engine, ids, n));

        Completion c = client.completions().create(completion().prompt(TEXT_PROMPT).maxTokens(n).temperature(0.0).build())
                .validate();
        assertEquals(server.decode(expected), c.choices().getFirst().text());
        assertUsage(c.usage().orElseThrow(), ids.length, n);
    }

    @Test
    void streamedCompletionEqualsTheWholeOneAndEndsWithUsage() {
        String whole = client.completions().create(completion().prompt(TEXT_PROMPT).maxTokens(20).temperature(0.0).build())
                .choices().getFirst().text();
        CompletionCreateParams params = completion().prompt(TEXT_PROMPT).maxTokens(20).temperature(0.0)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();

        List<Completion> chunks;
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            chunks = stream.stream().toList();
        }
        assertTrue(chunks.size() >= 3, "several chunks: " + chunks.size());
        StringBuilder text = new StringBuilder();
        List<String> reasons = new ArrayList<>();
        for (Completion chunk : chunks.subList(0, chunks.size() - 1)) {
            // No validate(): the SDK types finish_reason as required, yet OpenAI's own completion
            // chunks carry null until the last one, as ours do.
            assertTrue(chunk.usage().isEmpty(), "usage only in the last chunk");
            for (CompletionChoice ch : chunk.choices()) {
                assertEquals(0, ch.index());
                text.append(ch.text());
                ch._finishReason().asKnown().ifPresent(r -> reasons.add(r.asString()));
            }
        }
        assertEquals(whole, text.toString(), "streamed text equals the non-streamed text");
        assertEquals(List.of("length"), reasons, "one finish reason");
        Completion last = chunks.getLast();
        assertTrue(last.choices().isEmpty(), "the usage chunk has no choices");
        assertUsage(last.usage().orElseThrow(), server.encode(TEXT_PROMPT).length, 20);
    }

    @Test
    void chatEqualsReferenceStreamingAndNot() throws Exception {
        int n = 12;
        int[] promptIds = server.encode(CHAT_RENDERED);
        String expected = server.decode(reference.greedy(promptIds, n));

        ChatCompletion c = client.chat().completions().create(chat().maxCompletionTokens(n).temperature(0.0).build()).validate();
        assertEquals(1, c.choices().size());
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertEquals(expected, choice.message().content().orElseThrow(), "chat content is the reference's greedy text");
        assertEquals(ChatCompletion.Choice.FinishReason.Known.LENGTH, choice.finishReason().known());
        assertUsage(c.usage().orElseThrow(), promptIds.length, n);

        ChatCompletionCreateParams streamed = chat().maxCompletionTokens(n).temperature(0.0)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(streamed)) {
            chunks = stream.stream().toList();
        }
        ChatCompletionChunk first = chunks.getFirst().validate();
        assertEquals("assistant", first.choices().getFirst().delta().role().orElseThrow().asString(), "the role comes first");
        StringBuilder text = new StringBuilder();
        List<String> reasons = new ArrayList<>();
        for (ChatCompletionChunk chunk : chunks.subList(0, chunks.size() - 1)) {
            chunk.validate();
            assertTrue(chunk.usage().isEmpty(), "usage only in the last chunk");
            for (ChatCompletionChunk.Choice ch : chunk.choices()) {
                ch.delta().content().ifPresent(text::append);
                ch.finishReason().ifPresent(r -> reasons.add(r.asString()));
            }
        }
        assertEquals(expected, text.toString());
        assertEquals(List.of("length"), reasons);
        ChatCompletionChunk last = chunks.getLast();
        assertTrue(last.choices().isEmpty(), "the usage chunk has no choices");
        assertUsage(last.usage().orElseThrow(), promptIds.length, n);
    }

    // ---- n, seed, echo

    @Test
    void severalChoicesWithASeedDifferAndRepeat() {
        CompletionCreateParams params = completion().prompt(TEXT_PROMPT).n(3).maxTokens(12).temperature(1.0).seed(7).build();
        Completion a = client.completions().create(params).validate();
        assertEquals(Set.of(0L, 1L, 2L), a.choices().stream().map(CompletionChoice::index).collect(Collectors.toSet()));
        Map<Long, String> texts = a.choices().stream().collect(Collectors.toMap(CompletionChoice::index, CompletionChoice::text));
        assertEquals(3, new HashSet<>(texts.values()).size(), "three different samples: " + texts);
        assertUsage(a.usage().orElseThrow(), server.encode(TEXT_PROMPT).length, 36);

        Completion b = client.completions().create(params).validate();
        assertEquals(texts, b.choices().stream().collect(Collectors.toMap(CompletionChoice::index, CompletionChoice::text)),
                "the same seed gives the same samples");
        Completion other = client.completions().create(completion().prompt(TEXT_PROMPT).n(3).maxTokens(12).temperature(1.0)
                .seed(8).build());
        assertNotEquals(texts, other.choices().stream().collect(Collectors.toMap(CompletionChoice::index, CompletionChoice::text)),
                "another seed gives other samples");
    }

    @Test
    void severalChatChoicesStreamedCarryEveryIndex() {
        ChatCompletionCreateParams params = chat().n(3).maxCompletionTokens(8).temperature(1.0).seed(3).build();
        Map<Long, StringBuilder> texts = new HashMap<>();
        Map<Long, String> reasons = new HashMap<>();
        Map<Long, String> firstRole = new HashMap<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                for (ChatCompletionChunk.Choice ch : chunk.validate().choices()) {
                    firstRole.putIfAbsent(ch.index(), ch.delta().role().map(r -> r.asString()).orElse("none"));
                    texts.computeIfAbsent(ch.index(), k -> new StringBuilder()).append(ch.delta().content().orElse(""));
                    ch.finishReason().ifPresent(r -> assertEquals(null, reasons.put(ch.index(), r.asString())));
                }
            });
        }
        assertEquals(Set.of(0L, 1L, 2L), texts.keySet());
        assertEquals(Map.of(0L, "length", 1L, "length", 2L, "length"), reasons);
        assertEquals(Map.of(0L, "assistant", 1L, "assistant", 2L, "assistant"), firstRole, "each choice opens with the role");
        assertEquals(3, texts.values().stream().map(StringBuilder::toString).distinct().count(), "different samples: " + texts);

        ChatCompletion whole = client.chat().completions().create(params).validate();
        for (ChatCompletion.Choice ch : whole.choices()) {
            assertEquals(texts.get(ch.index()).toString(), ch.message().content().orElseThrow(),
                    "seeded streamed and non-streamed choices agree, index " + ch.index());
        }
    }

    @Test
    void echoPutsThePromptFirst() throws Exception {
        Completion text = client.completions().create(completion().prompt(TEXT_PROMPT).echo(true).maxTokens(6).temperature(0.0)
                .build()).validate();
        String generated = server.decode(reference.greedy(server.encode(TEXT_PROMPT), 6));
        assertEquals(TEXT_PROMPT + generated, text.choices().getFirst().text());

        Completion ids = client.completions().create(completion().promptOfArrayOfTokens(TinyServer.longs(PROMPT_IDS)).echo(true)
                .maxTokens(6).temperature(0.0).build()).validate();
        assertTrue(ids.choices().getFirst().text().startsWith(server.decode(PROMPT_IDS)), ids.choices().getFirst().text());
        assertUsage(ids.usage().orElseThrow(), PROMPT_IDS.length, 6);
    }

    // ---- logprobs

    @Test
    void completionLogprobsHaveOneEntryPerToken() {
        int n = 8;
        Completion c = client.completions().create(completion().promptOfArrayOfTokens(TinyServer.longs(PROMPT_IDS)).maxTokens(n)
                .temperature(0.0).logprobs(3).build()).validate();
        CompletionChoice.Logprobs lp = c.choices().getFirst().logprobs().orElseThrow();
        List<String> tokens = lp.tokens().orElseThrow();
        List<Double> logprobs = lp.tokenLogprobs().orElseThrow();
        var top = lp.topLogprobs().orElseThrow();
        assertEquals(n, tokens.size());
        assertEquals(n, logprobs.size());
        assertEquals(n, top.size());
        assertEquals(n, lp.textOffset().orElseThrow().size());
        for (int i = 0; i < n; i++) {
            double chosen = logprobs.get(i);
            assertTrue(chosen <= 0 && chosen > -100, "a log-probability: " + chosen);
            Map<String, JsonValue> alternatives = top.get(i)._additionalProperties();
            assertTrue(alternatives.size() >= 1 && alternatives.size() <= 4, "3 alternatives (+ the sampled): " + alternatives);
            assertTrue(alternatives.containsKey(tokens.get(i)), "the sampled token is among top_logprobs: " + alternatives);
            double best = alternatives.values().stream().mapToDouble(v -> ((Number) v.asNumber().orElseThrow()).doubleValue())
                    .max().orElseThrow();
            assertEquals(best, chosen, 1e-6, "greedy picks the most likely token");
        }
        if (tokens.stream().noneMatch(t -> t.contains("\ufffd") || t.startsWith("bytes:"))) {
            assertEquals(c.choices().getFirst().text(), String.join("", tokens), "tokens spell the text");
        }
    }

    @Test
    void chatLogprobsHaveTopAlternatives() {
        int n = 6;
        ChatCompletion c = client.chat().completions().create(chat().maxCompletionTokens(n).temperature(0.0).logprobs(true)
                .topLogprobs(2).build()).validate();
        List<ChatCompletionTokenLogprob> content = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertEquals(n, content.size(), "one entry per generated token");
        for (ChatCompletionTokenLogprob t : content) {
            assertEquals(2, t.topLogprobs().size(), "top_logprobs: 2 alternatives");
            assertTrue(t.logprob() <= 0);
            assertEquals(t.topLogprobs().getFirst().logprob(), t.logprob(), 1e-6, "greedy picks the most likely");
            assertTrue(t.topLogprobs().getFirst().logprob() >= t.topLogprobs().get(1).logprob(), "most likely first");
            assertFalse(t.bytes().orElseThrow().isEmpty(), "bytes given");
        }
    }

    // ---- stop conditions

    /** A two-character piece of {@code text} well inside it, made of whole ordinary characters. */
    static String stopStringIn(String text) {
        for (int p = text.length() / 3; p + 2 <= text.length(); p++) {
            String s = text.substring(p, p + 2);
            if (s.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f) && text.indexOf(s) > 0) {
                return s;
            }
        }
        for (int p = 1; p + 1 <= text.length(); p++) {
            String s = text.substring(p, p + 1);
            if (!Character.isSurrogate(s.charAt(0)) && s.charAt(0) != '\ufffd' && text.indexOf(s) > 0) {
                return s;
            }
        }
        throw new AssertionError("no usable stop string in " + text);
    }

    @Test
    void stopStringCutsTheCompletionBeforeIt() {
        String full = client.completions().create(completion().prompt(TEXT_PROMPT).maxTokens(24).temperature(0.0).build())
                .choices().getFirst().text();
        String stop = stopStringIn(full);
        String expected = full.substring(0, full.indexOf(stop));

        CompletionChoice c = client.completions().create(completion().prompt(TEXT_PROMPT).maxTokens(24).temperature(0.0)
                .stop(stop).build()).validate().choices().getFirst();
        assertEquals(expected, c.text(), "cut right before the stop string " + stop);
        assertFalse(c.text().contains(stop));
        assertEquals(CompletionChoice.FinishReason.Known.STOP, c.finishReason().known());

        StringBuilder streamed = new StringBuilder();
        List<String> reasons = new ArrayList<>();
        try (StreamResponse<Completion> s = client.completions().createStreaming(completion().prompt(TEXT_PROMPT).maxTokens(24)
                .temperature(0.0).stopOfStrings(List.of("#never#stop#", stop)).build())) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
                streamed.append(ch.text());
                ch._finishReason().asKnown().ifPresent(r -> reasons.add(r.asString()));
            }));
        }
        assertEquals(expected, streamed.toString(), "streaming never shows the stop string either");
        assertEquals(List.of("stop"), reasons);
    }

    @Test
    void chatStopStringCutsTheReplyBeforeIt() {
        String full = client.chat().completions().create(chat().maxCompletionTokens(24).temperature(0.0).build())
                .choices().getFirst().message().content().orElseThrow();
        String stop = stopStringIn(full);
        ChatCompletion.Choice c = client.chat().completions().create(chat().maxCompletionTokens(24).temperature(0.0).stop(stop)
                .build()).validate().choices().getFirst();
        assertEquals(full.substring(0, full.indexOf(stop)), c.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.Known.STOP, c.finishReason().known());
    }

    @Test
    void stopTokenIdEndsTheCompletionWithoutShowingIt() {
        int[] ids = reference.greedy(PROMPT_IDS, 24);
        int k = 6;
        int stopId = ids[k];
        int first = 0;
        while (ids[first] != stopId) {
            first++;
        }
        int[] before = java.util.Arrays.copyOf(ids, first);
        Completion c = client.completions().create(completion().promptOfArrayOfTokens(TinyServer.longs(PROMPT_IDS)).maxTokens(24)
                .temperature(0.0).putAdditionalBodyProperty("stop_token_ids", JsonValue.from(List.of(stopId))).build()).validate();
        CompletionChoice choice = c.choices().getFirst();
        assertEquals(CompletionChoice.FinishReason.Known.STOP, choice.finishReason().known());
        assertEquals(server.decode(before), choice.text(), "text up to, not including, the stop token");
        assertUsage(c.usage().orElseThrow(), PROMPT_IDS.length, first + 1);
    }

    @Test
    void maxTokensEndsWithLength() {
        Completion c = client.completions().create(completion().prompt("x").maxTokens(3).temperature(0.0).build()).validate();
        assertEquals(CompletionChoice.FinishReason.Known.LENGTH, c.choices().getFirst().finishReason().known());
        assertEquals(3, c.usage().orElseThrow().completionTokens());
    }

    // ---- errors as the SDK sees them

    @Test
    void sdkSeesErrorsAsTypedExceptions() {
        BadRequestException bad = assertThrows(BadRequestException.class, () -> client.completions().create(
                completion().prompt("x").maxTokens(4).temperature(-1.0).build()));
        assertEquals(400, bad.statusCode());
        NotFoundException missing = assertThrows(NotFoundException.class, () -> client.completions().create(
                CompletionCreateParams.builder().model("no-such-model").prompt("x").maxTokens(4).build()));
        assertEquals(404, missing.statusCode());
        assertTrue(client.models().list().data().stream().anyMatch(m -> m.id().equals(TinyServer.MODEL)), "/v1/models lists the model");
    }
}

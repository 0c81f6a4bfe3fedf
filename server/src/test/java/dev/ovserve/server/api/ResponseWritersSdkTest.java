package dev.ovserve.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.models.ErrorObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.models.Model;
import com.openai.models.models.ModelListPageResponse;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every body and chunk the writers produce is read back with the official openai-java SDK's own
 * model classes and its own ObjectMapper, then validated ({@code validate()} checks required
 * fields, the {@code object} constant and known finish reasons): what it accepts, OpenAI clients accept.
 */
class ResponseWritersSdkTest {
    /** The SDK's completion finish reasons (its CompletionChoice shares our record's simple name). */
    private static final class SdkFinish {
        static final com.openai.models.completions.CompletionChoice.FinishReason.Known STOP =
                com.openai.models.completions.CompletionChoice.FinishReason.Known.STOP;
        static final com.openai.models.completions.CompletionChoice.FinishReason.Known LENGTH =
                com.openai.models.completions.CompletionChoice.FinishReason.Known.LENGTH;
    }

    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final Usage USAGE = new Usage(5, 3, 2);

    private static <T> T sdk(byte[] json, Class<T> type) throws IOException {
        return ObjectMappers.jsonMapper().readValue(json, type);
    }

    private static JsonNode tree(byte[] json) throws IOException {
        return PLAIN.readTree(json);
    }

    private static LogprobStep step(String token, double logprob, LogprobToken... top) {
        return new LogprobStep(LogprobToken.of(token, logprob), List.of(top));
    }

    private static final List<LogprobStep> STEPS = List.of(
            step(" Hello", -0.25, LogprobToken.of(" Hello", -0.25), LogprobToken.of(" Hi", -1.5)),
            step(" w\u00f6rld", -2.0, LogprobToken.of(" there", -0.5)));

    // ---- completions

    @Test
    void completionResponse() throws IOException {
        var w = new CompletionWriter("cmpl-abc", 1700000000L, "gpt2", false);
        byte[] json = w.response(List.of(
                new CompletionChoice(0, "Hello w\u00f6rld", null, FinishReason.LENGTH),
                new CompletionChoice(1, "Bye", null, FinishReason.STOP)), USAGE);

        Completion c = sdk(json, Completion.class).validate();
        assertEquals("cmpl-abc", c.id());
        assertEquals(1700000000L, c.created());
        assertEquals("gpt2", c.model());
        assertEquals(2, c.choices().size());
        assertEquals("Hello w\u00f6rld", c.choices().get(0).text());
        assertEquals(SdkFinish.LENGTH, c.choices().get(0).finishReason().known());
        assertEquals(SdkFinish.STOP, c.choices().get(1).finishReason().known());
        assertEquals(1L, c.choices().get(1).index());
        var usage = c.usage().orElseThrow();
        assertEquals(5L, usage.promptTokens());
        assertEquals(3L, usage.completionTokens());
        assertEquals(8L, usage.totalTokens());
        assertEquals(2L, usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());

        JsonNode raw = tree(json);
        assertEquals("text_completion", raw.get("object").textValue());
        assertTrue(raw.get("choices").get(0).has("logprobs"), "logprobs present as null, as OpenAI writes it");
        assertTrue(raw.get("choices").get(0).get("logprobs").isNull());
    }

    @Test
    void completionLogprobsLegacyShape() throws IOException {
        var w = new CompletionWriter("cmpl-x", 1L, "m", false);
        byte[] json = w.response(List.of(new CompletionChoice(0, " Hello w\u00f6rld", STEPS, FinishReason.LENGTH)), USAGE);

        var lp = sdk(json, Completion.class).validate().choices().get(0).logprobs().orElseThrow();
        assertEquals(List.of(" Hello", " w\u00f6rld"), lp.tokens().orElseThrow());
        assertEquals(List.of(-0.25, -2.0), lp.tokenLogprobs().orElseThrow());
        assertEquals(List.of(0L, 6L), lp.textOffset().orElseThrow());
        var top = lp.topLogprobs().orElseThrow();
        assertEquals(Map.of(" Hello", JsonValue.from(-0.25), " Hi", JsonValue.from(-1.5)), top.get(0)._additionalProperties());
        // The sampled token is listed even when it is not among the alternatives.
        assertEquals(Map.of(" there", JsonValue.from(-0.5), " w\u00f6rld", JsonValue.from(-2.0)), top.get(1)._additionalProperties());
    }

    @Test
    void completionChunksAndUsageChunk() throws IOException {
        var w = new CompletionWriter("cmpl-s", 2L, "m", true);
        byte[] first = w.chunk(0, "Hel", null, 0, null);
        // Not validate(): the SDK declares a completion's finish_reason required, yet OpenAI's own
        // stream chunks carry null until the last one; the SDK does not validate streams by default.
        Completion c = sdk(first, Completion.class);
        assertEquals("Hel", c.choices().get(0).text());
        assertEquals(0L, c.choices().get(0).index());
        assertEquals("cmpl-s", c.id());
        JsonNode raw = tree(first);
        assertTrue(raw.get("choices").get(0).get("finish_reason").isNull());
        assertTrue(raw.has("usage") && raw.get("usage").isNull(), "include_usage: other chunks carry usage null");

        byte[] last = w.chunk(1, "lo", STEPS.subList(1, 2), 3, FinishReason.STOP);
        c = sdk(last, Completion.class).validate();
        assertEquals(1L, c.choices().get(0).index());
        assertEquals(SdkFinish.STOP, c.choices().get(0).finishReason().known());
        assertEquals(List.of(3L), c.choices().get(0).logprobs().orElseThrow().textOffset().orElseThrow());

        c = sdk(w.usageChunk(USAGE), Completion.class).validate();
        assertTrue(c.choices().isEmpty());
        assertEquals(8L, c.usage().orElseThrow().totalTokens());

        assertFalse(tree(new CompletionWriter("cmpl-s", 2L, "m", false).chunk(0, "x", null, 0, null)).has("usage"));
    }

    @Test
    void textOffsetCountsCharactersAcrossSplitUtf8() throws IOException {
        // "é€" as three tokens: é whole, then € split 2 + 1 bytes.
        byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
        var steps = List.of(
                new LogprobStep(LogprobToken.of("\u00e9", -1), List.of()),
                new LogprobStep(LogprobToken.ofBytes(new byte[] {euro[0], euro[1]}, -1), List.of()),
                new LogprobStep(LogprobToken.ofBytes(new byte[] {euro[2]}, -1), List.of()),
                new LogprobStep(LogprobToken.of("!", -1), List.of()));
        byte[] json = new CompletionWriter("cmpl-u", 1L, "m", false)
                .response(List.of(new CompletionChoice(0, "\u00e9\u20ac!", steps, FinishReason.STOP)), USAGE);
        var lp = sdk(json, Completion.class).validate().choices().get(0).logprobs().orElseThrow();
        assertEquals(List.of(0L, 1L, 2L, 2L), lp.textOffset().orElseThrow());
        assertEquals("bytes:\\xe2\\x82", lp.tokens().orElseThrow().get(1));
    }

    // ---- chat

    @Test
    void chatCompletionResponse() throws IOException {
        var w = new ChatCompletionWriter("chatcmpl-abc", 1700000001L, "tiny", false);
        byte[] json = w.response(List.of(new ChatChoice(0, "Hi there", null, FinishReason.STOP)), USAGE);

        ChatCompletion c = sdk(json, ChatCompletion.class).validate();
        assertEquals("chatcmpl-abc", c.id());
        assertEquals("tiny", c.model());
        assertEquals(1700000001L, c.created());
        var choice = c.choices().get(0);
        assertEquals("Hi there", choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.Known.STOP, choice.finishReason().known());
        assertFalse(choice.logprobs().isPresent());
        assertEquals(3L, c.usage().orElseThrow().completionTokens());

        JsonNode raw = tree(json);
        assertEquals("chat.completion", raw.get("object").textValue());
        assertEquals("assistant", raw.at("/choices/0/message/role").textValue());
        assertTrue(raw.at("/choices/0/logprobs").isNull());
    }

    @Test
    void chatLogprobs() throws IOException {
        var w = new ChatCompletionWriter("chatcmpl-l", 1L, "m", false);
        byte[] json = w.response(List.of(new ChatChoice(0, " Hello w\u00f6rld", STEPS, FinishReason.LENGTH)), USAGE);

        var content = sdk(json, ChatCompletion.class).validate().choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertEquals(2, content.size());
        ChatCompletionTokenLogprob second = content.get(1);
        assertEquals(" w\u00f6rld", second.token());
        assertEquals(-2.0, second.logprob());
        assertEquals(List.of(32L, 119L, 195L, 182L, 114L, 108L, 100L), second.bytes().orElseThrow());
        assertEquals(1, second.topLogprobs().size());
        assertEquals(" there", second.topLogprobs().get(0).token());
        assertEquals(-0.5, second.topLogprobs().get(0).logprob());
        assertEquals(2, content.get(0).topLogprobs().size());
    }

    @Test
    void chatStreamRoleThenContentThenFinishThenUsage() throws IOException {
        var w = new ChatCompletionWriter("chatcmpl-s", 3L, "m", true);

        ChatCompletionChunk role = sdk(w.roleChunk(0), ChatCompletionChunk.class).validate();
        assertEquals("chatcmpl-s", role.id());
        assertEquals(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT, role.choices().get(0).delta().role().orElseThrow());
        assertEquals("", role.choices().get(0).delta().content().orElseThrow());
        assertFalse(role.choices().get(0).finishReason().isPresent());

        byte[] contentJson = w.chunk(0, "Hel", STEPS.subList(0, 1), null);
        ChatCompletionChunk content = sdk(contentJson, ChatCompletionChunk.class).validate();
        assertEquals("Hel", content.choices().get(0).delta().content().orElseThrow());
        assertFalse(content.choices().get(0).delta().role().isPresent());
        assertEquals(" Hello", content.choices().get(0).logprobs().orElseThrow().content().orElseThrow().get(0).token());
        JsonNode raw = tree(contentJson);
        assertEquals("chat.completion.chunk", raw.get("object").textValue());
        assertTrue(raw.at("/choices/0/finish_reason").isNull());
        assertTrue(raw.get("usage").isNull());

        byte[] finishJson = w.chunk(0, null, null, FinishReason.LENGTH);
        ChatCompletionChunk finish = sdk(finishJson, ChatCompletionChunk.class).validate();
        assertEquals(ChatCompletionChunk.Choice.FinishReason.Known.LENGTH, finish.choices().get(0).finishReason().orElseThrow().known());
        assertEquals(0, tree(finishJson).at("/choices/0/delta").size(), "an empty delta");

        ChatCompletionChunk usage = sdk(w.usageChunk(USAGE), ChatCompletionChunk.class).validate();
        assertTrue(usage.choices().isEmpty());
        assertEquals(5L, usage.usage().orElseThrow().promptTokens());
    }

    @Test
    void logprobsThatAreNotFiniteAreClamped() throws IOException {
        var steps = List.of(new LogprobStep(LogprobToken.of("a", Double.NEGATIVE_INFINITY), List.of(LogprobToken.of("b", Double.NaN))));
        byte[] json = new ChatCompletionWriter("chatcmpl-i", 1L, "m", false)
                .response(List.of(new ChatChoice(0, "a", steps, FinishReason.STOP)), USAGE);
        var lp = sdk(json, ChatCompletion.class).validate().choices().get(0).logprobs().orElseThrow().content().orElseThrow().get(0);
        assertEquals(-9999.0, lp.logprob());
        assertEquals(-9999.0, lp.topLogprobs().get(0).logprob());
    }

    @Test
    void loneSurrogatesInOutputBecomeReplacementCharacters() throws IOException {
        byte[] json = new ChatCompletionWriter("chatcmpl-r", 1L, "m", false).chunk(0, "a\uD800b\uD83D\uDE00", null, null);
        assertEquals("a\uFFFDb\uD83D\uDE00", sdk(json, ChatCompletionChunk.class).validate().choices().get(0).delta().content().orElseThrow());
    }

    // ---- models and errors

    @Test
    void modelList() throws IOException {
        byte[] json = ModelList.toJson(List.of(new ModelList.ModelCard("gpt2", 1700000002L)));
        var list = sdk(json, ModelListPageResponse.class).validate();
        Model m = list.data().get(0);
        assertEquals("gpt2", m.id());
        assertEquals(1700000002L, m.created());
        assertEquals("ovserve", m.ownedBy());
        assertEquals("list", tree(json).get("object").textValue());
        assertEquals("model", tree(json).at("/data/0/object").textValue());
        assertEquals("gpt2", sdk(ModelList.toJson(new ModelList.ModelCard("gpt2", 1L)), Model.class).validate().id());
    }

    @Test
    void errorBody() throws IOException {
        byte[] json = ApiException.invalidType("max_tokens", "an integer", PLAIN.readTree("\"16\"")).toJson();
        JsonNode raw = tree(json);
        assertEquals(1, raw.size());
        assertEquals(4, raw.get("error").size());
        ErrorObject error = sdk(PLAIN.writeValueAsBytes(raw.get("error")), ErrorObject.class).validate();
        assertEquals("Invalid type for 'max_tokens': expected an integer, but got a string instead.", error.message());
        assertEquals("invalid_request_error", error.type());
        assertEquals("max_tokens", error.param().orElseThrow());
        assertEquals("invalid_type", error.code().orElseThrow());

        JsonNode nulls = tree(ApiException.serverError("boom").toJson()).get("error");
        assertTrue(nulls.get("param").isNull() && nulls.get("code").isNull(), "param and code present as null");
        assertEquals("server_error", nulls.get("type").textValue());
    }

    @Test
    void idsLookLikeOpenAis() {
        assertTrue(ResponseIds.completion().matches("cmpl-[0-9A-Za-z]{24}"));
        assertTrue(ResponseIds.chatCompletion().matches("chatcmpl-[0-9A-Za-z]{24}"));
        assertFalse(ResponseIds.completion().equals(ResponseIds.completion()));
        var w = ChatCompletionWriter.create("m", false);
        assertTrue(w.id().startsWith("chatcmpl-"));
        assertTrue(Math.abs(w.created() - System.currentTimeMillis() / 1000) <= 2);
        assertTrue(CompletionWriter.create("m", false).id().startsWith("cmpl-"));
    }
}

package dev.ovserve.server.api;

import static dev.ovserve.server.api.ApiAssertions.assertBadRequest;
import static dev.ovserve.server.api.ApiAssertions.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.sampling.SamplingParams;
import dev.ovserve.tokenizer.chat.ChatMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChatCompletionRequestTest {
    private static final String HI = "'messages': [{'role': 'user', 'content': 'Hi'}]";

    @Test
    void minimalRequest() {
        var r = chat("{'model': 'm', " + HI + "}");
        assertEquals("m", r.model());
        assertEquals(List.of(new ChatMessage("user", "Hi")), r.messages());
        assertNull(r.maxTokens());
        assertFalse(r.logprobs());
        assertNull(r.topLogprobs());
        assertFalse(r.stream());
        assertEquals(1, r.n());
        assertNull(r.samplingParams(50).logprobs());
        assertEquals(SamplingParams.builder().maxTokens(50).build(), r.samplingParams(50));
    }

    @Test
    void everySamplingFieldIsMapped() {
        var r = chat("{" + HI + ", 'max_completion_tokens': 9, 'temperature': 0, 'top_p': 0.5, 'top_k': 3, 'min_p': 0.1,"
                + " 'repetition_penalty': 1.2, 'presence_penalty': 1, 'frequency_penalty': 2, 'logit_bias': {'7': 5},"
                + " 'seed': -3, 'stop': 'x', 'stop_token_ids': [2], 'ignore_eos': true, 'n': 2, 'logprobs': true,"
                + " 'top_logprobs': 4, 'user': 'me', 'stream': true, 'stream_options': {'include_usage': true}}");
        SamplingParams p = r.samplingParams(r.maxTokens());
        assertEquals(SamplingParams.builder().maxTokens(9).temperature(0).topP(0.5).topK(3).minP(0.1).repetitionPenalty(1.2)
                .presencePenalty(1).frequencyPenalty(2).logitBias(Map.of(7, 5f)).seed(-3L).stop(List.of("x"))
                .stopTokenIds(Set.of(2)).ignoreEos(true).n(2).logprobs(4).build(), p);
        assertTrue(r.logprobs());
        assertEquals(4, r.topLogprobs());
        assertTrue(r.stream());
        assertTrue(r.includeUsage());
        assertEquals("me", r.user());
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() {
        assertEquals(5, chat("{" + HI + ", 'max_tokens': 7, 'max_completion_tokens': 5}").maxTokens());
        assertEquals(7, chat("{" + HI + ", 'max_tokens': 7}").maxTokens());
        assertBadRequest("max_completion_tokens", "invalid_value", () -> chat("{" + HI + ", 'max_completion_tokens': 0}"));
        assertBadRequest("max_tokens", "invalid_value", () -> chat("{" + HI + ", 'max_tokens': -4}"));
        assertBadRequest("max_completion_tokens", "invalid_type", () -> chat("{" + HI + ", 'max_completion_tokens': '5'}"));
    }

    @Test
    void withoutMaxTheRoomLeftIsTheLimit() {
        var r = chat("{" + HI + "}");
        assertEquals(1000, r.samplingParams(24, 1024).maxTokens());
        var e = assertBadRequest("messages", "context_length_exceeded", () -> r.samplingParams(2048, 1024));
        assertTrue(e.getMessage().contains("you requested 2048 tokens in the messages"), e.getMessage());
        var explicit = chat("{" + HI + ", 'max_tokens': 1001}");
        assertBadRequest("messages", "context_length_exceeded", () -> explicit.samplingParams(24, 1024));
    }

    @Test
    void logprobsAndTopLogprobs() {
        assertEquals(0, chat("{" + HI + ", 'logprobs': true}").samplingParams(1).logprobs());
        assertEquals(20, chat("{" + HI + ", 'logprobs': true, 'top_logprobs': 20}").samplingParams(1).logprobs());
        assertNull(chat("{" + HI + ", 'logprobs': false, 'top_logprobs': 0}").samplingParams(1).logprobs());
        assertBadRequest("top_logprobs", null, () -> chat("{" + HI + ", 'top_logprobs': 2}"));
        assertBadRequest("top_logprobs", "invalid_value", () -> chat("{" + HI + ", 'logprobs': true, 'top_logprobs': 21}"));
        assertBadRequest("top_logprobs", "invalid_value", () -> chat("{" + HI + ", 'logprobs': true, 'top_logprobs': -1}"));
        assertBadRequest("logprobs", "invalid_type", () -> chat("{" + HI + ", 'logprobs': 1}"));
    }

    // ---- messages

    @Test
    void contentPartsAreJoinedWithNewlines() {
        var r = chat("{'messages': [{'role': 'user', 'content': [{'type': 'text', 'text': 'a'}, {'type': 'text', 'text': 'b'}]}]}");
        assertEquals(List.of(new ChatMessage("user", "a\nb")), r.messages());
    }

    @Test
    void rolesAndTheirContent() {
        var r = chat("{'messages': [{'role': 'developer', 'content': 'Be brief.'}, {'role': 'system', 'content': 's'},"
                + " {'role': 'user', 'content': 'u', 'name': 'bob'}, {'role': 'assistant', 'content': null},"
                + " {'role': 'assistant', 'tool_calls': []}, {'role': 'assistant', 'content': 'a', 'refusal': null}]}");
        assertEquals(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("system", "s"), new ChatMessage("user", "u"),
                new ChatMessage("assistant", ""), new ChatMessage("assistant", ""), new ChatMessage("assistant", "a")), r.messages());
    }

    @Test
    void messagesAreRequiredAndNonEmpty() {
        assertBadRequest("messages", "missing_required_parameter", () -> chat("{'model': 'm'}"));
        assertBadRequest("messages", "invalid_value", () -> chat("{'messages': []}"));
        assertBadRequest("messages", "invalid_type", () -> chat("{'messages': 'Hi'}"));
        assertBadRequest("messages[0]", "invalid_type", () -> chat("{'messages': ['Hi']}"));
    }

    @Test
    void badMessagesNameTheirField() {
        assertBadRequest("messages[0].role", "missing_required_parameter", () -> chat("{'messages': [{'content': 'x'}]}"));
        assertBadRequest("messages[0].role", "invalid_type", () -> chat("{'messages': [{'role': 1, 'content': 'x'}]}"));
        assertBadRequest("messages[1].role", "invalid_value",
                () -> chat("{'messages': [{'role': 'user', 'content': 'x'}, {'role': 'robot', 'content': 'x'}]}"));
        assertBadRequest("messages[0].content", "missing_required_parameter", () -> chat("{'messages': [{'role': 'user'}]}"));
        assertBadRequest("messages[0].content", "missing_required_parameter",
                () -> chat("{'messages': [{'role': 'system', 'content': null}]}"));
        assertBadRequest("messages[0].content", "invalid_type", () -> chat("{'messages': [{'role': 'user', 'content': 5}]}"));
        assertBadRequest("messages[0].content[0]", "invalid_type",
                () -> chat("{'messages': [{'role': 'user', 'content': ['a']}]}"));
        assertBadRequest("messages[0].content[0].text", "missing_required_parameter",
                () -> chat("{'messages': [{'role': 'user', 'content': [{'type': 'text'}]}]}"));
        assertBadRequest("messages[0].content[0].text", "invalid_type",
                () -> chat("{'messages': [{'role': 'user', 'content': [{'type': 'text', 'text': 1}]}]}"));
        assertBadRequest("messages[0].content[0].type", "missing_required_parameter",
                () -> chat("{'messages': [{'role': 'user', 'content': [{'text': 'a'}]}]}"));
        assertBadRequest("messages[0].content", "invalid_value",
                () -> chat("{'messages': [{'role': 'user', 'content': 'bad \\udfff'}]}"));
    }

    @Test
    void nonTextPartsToolsAndToolMessagesAreRefused() {
        var e = assertBadRequest("messages[0].content[1].type", "unsupported_value", () -> chat("{'messages': [{'role': 'user',"
                + " 'content': [{'type': 'text', 'text': 'a'}, {'type': 'image_url', 'image_url': {'url': 'http://x'}}]}]}"));
        assertTrue(e.getMessage().contains("image_url"));
        assertBadRequest("messages[1].role", "unsupported_value", () -> chat("{'messages': [{'role': 'user', 'content': 'x'},"
                + " {'role': 'tool', 'content': 'r', 'tool_call_id': 'c'}]}"));
        assertBadRequest("messages[0].role", "unsupported_value",
                () -> chat("{'messages': [{'role': 'function', 'name': 'f', 'content': 'r'}]}"));
        assertBadRequest("messages[0].tool_calls", "unsupported_parameter", () -> chat("{'messages': [{'role': 'assistant',"
                + " 'tool_calls': [{'id': 'c', 'type': 'function', 'function': {'name': 'f', 'arguments': '{}'}}]}]}"));
        assertBadRequest("messages[0].function_call", "unsupported_parameter", () -> chat("{'messages': [{'role': 'assistant',"
                + " 'function_call': {'name': 'f', 'arguments': '{}'}}]}"));
    }

    @Test
    void toolsFunctionsAndToolChoice() {
        assertEquals(1, chat("{" + HI + ", 'tools': [], 'tool_choice': 'none', 'functions': null}").messages().size());
        assertEquals(1, chat("{" + HI + ", 'tool_choice': 'auto', 'function_call': 'none', 'parallel_tool_calls': false}").n());
        var e = assertBadRequest("tools", "unsupported_parameter", () -> chat("{" + HI + ", 'tools': [{'type': 'function',"
                + " 'function': {'name': 'f'}}]}"));
        assertTrue(e.getMessage().contains("not supported"));
        assertBadRequest("functions", "unsupported_parameter", () -> chat("{" + HI + ", 'functions': [{'name': 'f'}]}"));
        assertBadRequest("tool_choice", "unsupported_parameter", () -> chat("{" + HI + ", 'tool_choice': 'required'}"));
        assertBadRequest("tool_choice", "unsupported_parameter",
                () -> chat("{" + HI + ", 'tool_choice': {'type': 'function', 'function': {'name': 'f'}}}"));
        assertBadRequest("function_call", "unsupported_parameter", () -> chat("{" + HI + ", 'function_call': {'name': 'f'}}"));
    }

    @Test
    void responseFormatOnlyText() {
        assertEquals(1, chat("{" + HI + ", 'response_format': {'type': 'text'}}").n());
        assertBadRequest("response_format", "unsupported_value", () -> chat("{" + HI + ", 'response_format': {'type': 'json_object'}}"));
        assertBadRequest("response_format", "unsupported_value", () -> chat("{" + HI + ", 'response_format': {'type': 'json_schema',"
                + " 'json_schema': {'name': 'x'}}}"));
        assertBadRequest("response_format", "unsupported_value", () -> chat("{" + HI + ", 'response_format': {}}"));
        assertBadRequest("response_format", "invalid_type", () -> chat("{" + HI + ", 'response_format': 'json'}"));
        assertBadRequest("response_format.type", "invalid_type", () -> chat("{" + HI + ", 'response_format': {'type': 1}}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {"temperature | -1 | invalid_value", "top_p | 2 | invalid_value",
            "n | 0 | invalid_value", "n | '1' | invalid_type", "stream | 'no' | invalid_type", "seed | 1.0 | invalid_type",
            "logit_bias | {'x': 1} | invalid_value", "presence_penalty | -2.01 | invalid_value"})
    void sharedFieldsAreCheckedHereToo(String param, String value, String code) {
        assertBadRequest(param, code, () -> chat("{" + HI + ", '" + param + "': " + value + "}"));
    }

    @Test
    void temperatureAboveOpenAisTwoIsAllowedAsInVllm() {
        assertEquals(3.5, chat("{" + HI + ", 'temperature': 3.5}").samplingParams(1).temperature());
    }

    @Test
    void nullInsideStopIsAWrongType() {
        assertBadRequest("stop[0]", "invalid_type", () -> chat("{" + HI + ", 'stop': [null]}"));
    }

    @Test
    void streamOptionsNeedStream() {
        assertBadRequest("stream_options", null, () -> chat("{" + HI + ", 'stream_options': {'include_usage': true}}"));
    }
}

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
    void nonTextPartsAndLegacyFunctionMessagesAreRefused() {
        var e = assertBadRequest("messages[0].content[1].type", "unsupported_value", () -> chat("{'messages': [{'role': 'user',"
                + " 'content': [{'type': 'text', 'text': 'a'}, {'type': 'image_url', 'image_url': {'url': 'http://x'}}]}]}"));
        assertTrue(e.getMessage().contains("image_url"));
        assertBadRequest("messages[0].role", "unsupported_value",
                () -> chat("{'messages': [{'role': 'function', 'name': 'f', 'content': 'r'}]}"));
        assertBadRequest("messages[0].function_call", "unsupported_parameter", () -> chat("{'messages': [{'role': 'assistant',"
                + " 'function_call': {'name': 'f', 'arguments': '{}'}}]}"));
    }

    @Test
    void toolMessagesAndAssistantToolCallsReachTheTemplate() {
        var r = chat("{'messages': [{'role': 'user', 'content': 'x'}, {'role': 'assistant', 'content': null, 'tool_calls':"
                + " [{'id': 'c1', 'type': 'function', 'function': {'name': 'f', 'arguments': '{\\\"a\\\": [1]}'}},"
                + " {'id': 'c2', 'type': 'function', 'function': {'name': 'g', 'arguments': 'not json'}}]},"
                + " {'role': 'tool', 'tool_call_id': 'c1', 'name': 'f', 'content': 'r'}]}");
        var assistant = r.messages().get(1);
        assertEquals("", assistant.content());
        assertEquals(2, assistant.toolCalls().size());
        assertEquals("c1", assistant.toolCalls().get(0).get("id"));
        @SuppressWarnings("unchecked")
        var fn = (java.util.Map<String, Object>) assistant.toolCalls().get(0).get("function");
        assertEquals(java.util.Map.of("a", List.of(1)), fn.get("arguments"), "JSON arguments are parsed, as vLLM does");
        @SuppressWarnings("unchecked")
        var g = (java.util.Map<String, Object>) assistant.toolCalls().get(1).get("function");
        assertEquals("not json", g.get("arguments"));
        assertEquals(new ChatMessage("tool", "r", List.of(), "c1", "f"), r.messages().get(2));
        assertBadRequest("messages[1].tool_call_id", "missing_required_parameter",
                () -> chat("{'messages': [{'role': 'user', 'content': 'x'}, {'role': 'tool', 'content': 'r'}]}"));
        assertBadRequest("messages[0].tool_calls", "invalid_value", () -> chat("{'messages': [{'role': 'user', 'content': 'x',"
                + " 'tool_calls': [{'id': 'c', 'type': 'function', 'function': {'name': 'f', 'arguments': '{}'}}]}]}"));
        assertBadRequest("messages[0].tool_calls[0].function.name", "missing_required_parameter", () -> chat("{'messages':"
                + " [{'role': 'assistant', 'tool_calls': [{'id': 'c', 'type': 'function', 'function': {'arguments': '{}'}}]}]}"));
    }

    static final String TOOL = "{'type': 'function', 'function': {'name': 'get_weather', 'parameters': {'type': 'object',"
            + " 'properties': {'city': {'type': 'string'}}, 'required': ['city']}}}";

    @Test
    void toolsAndToolChoice() {
        assertEquals(ToolRequest.NONE.choice(), chat("{" + HI + ", 'tools': [], 'tool_choice': 'none', 'functions': null}").tools().choice());
        var none = chat("{" + HI + ", 'tool_choice': 'auto', 'function_call': 'none', 'parallel_tool_calls': false}").tools();
        assertTrue(!none.callsTools() && !none.parallel());
        var auto = chat("{" + HI + ", 'tools': [" + TOOL + "]}").tools();
        assertEquals(new ToolChoice.Auto(), auto.choice(), "tools default to auto");
        assertEquals("get_weather", auto.tools().getFirst().name());
        assertEquals("function", auto.templateTools().getFirst().get("type"));
        assertTrue(chat("{" + HI + ", 'tools': [" + TOOL + "], 'tool_choice': 'required'}").tools().forced());
        assertEquals(new ToolChoice.Named("get_weather"), chat("{" + HI + ", 'tools': [" + TOOL + "], 'tool_choice':"
                + " {'type': 'function', 'function': {'name': 'get_weather'}}}").tools().choice());
        var noParams = chat("{" + HI + ", 'tools': [{'type': 'function', 'function': {'name': 'f'}}]}").tools();
        assertEquals("object", noParams.tools().getFirst().parameters().get("type").asText());

        assertBadRequest("functions", "unsupported_parameter", () -> chat("{" + HI + ", 'functions': [{'name': 'f'}]}"));
        assertBadRequest("function_call", "unsupported_parameter", () -> chat("{" + HI + ", 'function_call': {'name': 'f'}}"));
        assertBadRequest("tool_choice", null, () -> chat("{" + HI + ", 'tool_choice': 'required'}"));
        assertBadRequest("tool_choice.function.name", "invalid_value", () -> chat("{" + HI + ", 'tools': [" + TOOL + "],"
                + " 'tool_choice': {'type': 'function', 'function': {'name': 'other'}}}"));
        assertBadRequest("tool_choice", "invalid_value", () -> chat("{" + HI + ", 'tools': [" + TOOL + "], 'tool_choice': 'always'}"));
        assertBadRequest("tools[0].type", "unsupported_value", () -> chat("{" + HI + ", 'tools': [{'type': 'code_interpreter'}]}"));
        assertBadRequest("tools[0].function.name", "invalid_value",
                () -> chat("{" + HI + ", 'tools': [{'type': 'function', 'function': {'name': 'bad name'}}]}"));
        assertBadRequest("tools[1].function.name", "invalid_value", () -> chat("{" + HI + ", 'tools': [" + TOOL + ", " + TOOL + "]}"));
        assertBadRequest("tools[0].function.parameters", "invalid_type",
                () -> chat("{" + HI + ", 'tools': [{'type': 'function', 'function': {'name': 'f', 'parameters': 'x'}}]}"));
        assertBadRequest("response_format", null, () -> chat("{" + HI + ", 'tools': [" + TOOL + "],"
                + " 'response_format': {'type': 'json_object'}}"));
        var shown = chat("{" + HI + ", 'tools': [" + TOOL + "], 'tool_choice': 'none', 'response_format': {'type': 'json_object'}}");
        assertEquals(1, shown.tools().templateTools().size(), "tool_choice none still shows the tools to the template");
        assertEquals(OutputConstraint.Kind.JSON_OBJECT, shown.constraint().kind());
    }

    @Test
    void responseFormatAndTheOtherConstraintFields() {
        assertNull(chat("{" + HI + ", 'response_format': {'type': 'text'}}").constraint());
        assertEquals(OutputConstraint.Kind.JSON_OBJECT, chat("{" + HI + ", 'response_format': {'type': 'json_object'}}").constraint().kind());
        var schema = chat("{" + HI + ", 'response_format': {'type': 'json_schema', 'json_schema': {'name': 'x', 'strict': true,"
                + " 'schema': {'type': 'object', 'properties': {'a': {'type': 'integer'}}}}}}").constraint();
        assertEquals(OutputConstraint.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}",
                "response_format.json_schema.schema"), schema);
        assertEquals(OutputConstraint.Kind.JSON_OBJECT, chat("{" + HI + ", 'response_format': {'type': 'json_schema',"
                + " 'json_schema': {'name': 'x'}}}").constraint().kind());
        assertEquals(OutputConstraint.regex("a+", "structured_outputs.regex"),
                chat("{" + HI + ", 'structured_outputs': {'regex': 'a+'}}").constraint());
        assertEquals(OutputConstraint.choice(List.of("yes", "no"), "guided_choice"),
                chat("{" + HI + ", 'guided_choice': ['yes', 'no']}").constraint());
        assertEquals(OutputConstraint.Kind.JSON_SCHEMA, chat("{" + HI + ", 'guided_json': '{\\\"type\\\": \\\"string\\\"}'}")
                .constraint().kind());
        assertEquals(OutputConstraint.grammar("root ::= \"a\"", "grammar"),
                chat("{" + HI + ", 'grammar': 'root ::= \\\"a\\\"'}").constraint());
        assertEquals(OutputConstraint.Kind.JSON_SCHEMA, chat("{" + HI + ", 'json_schema': {'type': 'object'}}").constraint().kind());

        var both = assertBadRequest("guided_json", null, () -> chat("{" + HI
                + ", 'response_format': {'type': 'json_object'}, 'guided_json': {'type': 'object'}}"));
        assertTrue(both.getMessage().contains("response_format") && both.getMessage().contains("guided_json"), both.getMessage());
        assertBadRequest("structured_outputs.structural_tag", "unsupported_parameter",
                () -> chat("{" + HI + ", 'structured_outputs': {'structural_tag': '{}'}}"));
        assertBadRequest("guided_choice", "invalid_value", () -> chat("{" + HI + ", 'guided_choice': []}"));
        assertBadRequest("guided_json", "invalid_value", () -> chat("{" + HI + ", 'guided_json': '{not json'}"));
        assertBadRequest("response_format.type", "invalid_value", () -> chat("{" + HI + ", 'response_format': {'type': 'xml'}}"));
        assertBadRequest("response_format.type", "missing_required_parameter", () -> chat("{" + HI + ", 'response_format': {}}"));
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

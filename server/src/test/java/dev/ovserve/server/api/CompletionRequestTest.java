package dev.ovserve.server.api;

import static dev.ovserve.server.api.ApiAssertions.assertBadRequest;
import static dev.ovserve.server.api.ApiAssertions.completion;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.sampling.SamplingParams;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CompletionRequestTest {
    @Test
    void minimalRequestGetsOpenAiDefaults() {
        var r = completion("{'model': 'gpt2', 'prompt': 'Hello'}");
        assertEquals("gpt2", r.model());
        assertEquals(List.of(new PromptInput.Text("Hello")), r.prompts());
        assertEquals(1, r.n());
        assertFalse(r.stream());
        assertFalse(r.includeUsage());
        assertFalse(r.echo());
        assertNull(r.logprobs());
        assertNull(r.maxTokens());
        assertNull(r.user());
        SamplingParams p = r.samplingParams();
        assertEquals(SamplingParams.builder().build(), p);
        assertEquals(16, p.maxTokens());
    }

    @Test
    void modelIsOptional() {
        assertNull(completion("{'prompt': 'x'}").model());
    }

    @Test
    void everySamplingFieldIsMapped() {
        var r = completion("{'prompt': 'x', 'max_tokens': 7, 'temperature': 0.5, 'top_p': 0.9, 'top_k': 40, 'min_p': 0.05,"
                + " 'repetition_penalty': 1.1, 'presence_penalty': 0.5, 'frequency_penalty': -0.5,"
                + " 'logit_bias': {'50256': -100, '11': 2.5}, 'seed': 1234567890123, 'stop': ['\\n', 'END'],"
                + " 'stop_token_ids': [50256, 7], 'ignore_eos': true, 'n': 3, 'best_of': 3, 'logprobs': 5,"
                + " 'user': 'u-1', 'echo': false}");
        SamplingParams p = r.samplingParams();
        assertEquals(0.5, p.temperature());
        assertEquals(0.9, p.topP());
        assertEquals(40, p.topK());
        assertEquals(0.05, p.minP());
        assertEquals(1.1, p.repetitionPenalty());
        assertEquals(0.5, p.presencePenalty());
        assertEquals(-0.5, p.frequencyPenalty());
        assertEquals(Map.of(50256, -100f, 11, 2.5f), p.logitBias());
        assertEquals(1234567890123L, p.seed());
        assertEquals(List.of("\n", "END"), p.stop());
        assertEquals(Set.of(50256, 7), p.stopTokenIds());
        assertTrue(p.ignoreEos());
        assertEquals(3, p.n());
        assertEquals(5, p.logprobs());
        assertEquals(7, p.maxTokens());
        assertEquals("u-1", r.user());
        assertEquals(5, r.logprobs());
    }

    @Test
    void explicitNullMeansNotGiven() {
        var r = completion("{'prompt': 'x', 'max_tokens': null, 'temperature': null, 'stop': null, 'logit_bias': null,"
                + " 'seed': null, 'n': null, 'logprobs': null, 'suffix': null, 'best_of': null, 'stream_options': null,"
                + " 'user': null, 'echo': null, 'stream': null}");
        assertEquals(SamplingParams.builder().build(), r.samplingParams());
    }

    @Test
    void unknownFieldsAreIgnored() {
        var r = completion("{'prompt': 'x', 'some_future_field': {'a': [1]}, 'metadata': 'x'}");
        assertEquals(1, r.prompts().size());
    }

    // ---- prompt forms

    @Test
    void promptAsArrayOfStrings() {
        assertEquals(List.of(new PromptInput.Text("a"), new PromptInput.Text("b")),
                completion("{'prompt': ['a', 'b']}").prompts());
    }

    @Test
    void promptAsTokenIds() {
        var prompts = completion("{'prompt': [15496, 11, 0]}").prompts();
        assertEquals(List.of(new PromptInput.Tokens(new int[] {15496, 11, 0})), prompts);
        assertEquals(3, prompts.get(0).knownTokenCount());
    }

    @Test
    void promptAsArraysOfTokenIds() {
        assertEquals(List.of(new PromptInput.Tokens(new int[] {1, 2}), new PromptInput.Tokens(new int[] {3})),
                completion("{'prompt': [[1, 2], [3]]}").prompts());
    }

    @Test
    void tokenIdsAreCopiedInAndOut() {
        int[] ids = {1, 2};
        var tokens = new PromptInput.Tokens(ids);
        ids[0] = 99;
        tokens.ids()[1] = 99;
        assertArrayEquals(new int[] {1, 2}, tokens.ids());
    }

    @Test
    void promptIsRequired() {
        assertBadRequest("prompt", "missing_required_parameter", () -> completion("{'model': 'm'}"));
        assertBadRequest("prompt", "missing_required_parameter", () -> completion("{'prompt': null}"));
    }

    @Test
    void emptyPromptsAreRefused() {
        assertBadRequest("prompt", "invalid_value", () -> completion("{'prompt': ''}"));
        assertBadRequest("prompt", "invalid_value", () -> completion("{'prompt': []}"));
        assertBadRequest("prompt[1]", "invalid_value", () -> completion("{'prompt': ['a', '']}"));
        assertBadRequest("prompt[0]", "invalid_value", () -> completion("{'prompt': [[]]}"));
    }

    @Test
    void mixedPromptTypesAreRefused() {
        assertBadRequest("prompt[1]", "invalid_type", () -> completion("{'prompt': ['a', 1]}"));
        assertBadRequest("prompt[1]", "invalid_type", () -> completion("{'prompt': [1, 'a']}"));
        assertBadRequest("prompt[1]", "invalid_type", () -> completion("{'prompt': [[1], 2]}"));
        assertBadRequest("prompt[1]", "invalid_type", () -> completion("{'prompt': [[1], 'a']}"));
        assertBadRequest("prompt[0][1]", "invalid_type", () -> completion("{'prompt': [[1, 'a']]}"));
        assertBadRequest("prompt[0]", "invalid_type", () -> completion("{'prompt': [true]}"));
        assertBadRequest("prompt[0]", "invalid_type", () -> completion("{'prompt': [{'text': 'a'}]}"));
        assertBadRequest("prompt", "invalid_type", () -> completion("{'prompt': 5}"));
        assertBadRequest("prompt", "invalid_type", () -> completion("{'prompt': {'text': 'a'}}"));
    }

    @Test
    void badTokenIdsAreRefused() {
        assertBadRequest("prompt[1]", "invalid_value", () -> completion("{'prompt': [1, -1]}"));
        assertBadRequest("prompt[0]", "invalid_value", () -> completion("{'prompt': [3000000000]}"));
        assertBadRequest("prompt[0][0]", "invalid_value", () -> completion("{'prompt': [[-5]]}"));
        assertBadRequest("prompt[1]", "invalid_type", () -> completion("{'prompt': [1, 2.5]}"));
    }

    @Test
    void loneSurrogateEscapesInPromptTextAreRefused() {
        assertBadRequest("prompt", "invalid_value", () -> completion("{'prompt': 'a\\ud800b'}"));
        assertBadRequest("prompt[1]", "invalid_value", () -> completion("{'prompt': ['ok', '\\udc00']}"));
        // A proper pair written as escapes is fine.
        assertEquals(new PromptInput.Text("\uD83D\uDE00"), completion("{'prompt': '\\ud83d\\ude00'}").prompts().get(0));
    }

    // ---- types of every field

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "max_tokens | '16'", "max_tokens | 16.0", "max_tokens | 1.5", "max_tokens | true",
            "n | '2'", "n | [2]", "logprobs | true", "logprobs | 2.0", "best_of | '1'", "seed | 'abc'", "seed | 1.5",
            "top_k | 4.5", "temperature | '0.7'", "temperature | true", "top_p | [1]", "min_p | {}",
            "repetition_penalty | 'x'", "presence_penalty | false", "frequency_penalty | '0'",
            "stream | 'true'", "stream | 1", "echo | 0", "ignore_eos | 'yes'", "model | 5", "user | 7",
            "logit_bias | [1]", "logit_bias | 'x'", "stop | 5", "stop | {}", "stop_token_ids | 5", "stream_options | true"})
    void wrongJsonTypeNamesTheParameter(String param, String value) {
        var e = assertBadRequest(param, "invalid_type", () -> completion("{'prompt': 'x', '" + param + "': " + value + "}"));
        assertTrue(e.getMessage().startsWith("Invalid type for '" + param + "': expected "), e.getMessage());
    }

    @Test
    void wrongTypesInsideArraysAndObjectsNameTheElement() {
        assertBadRequest("stop[1]", "invalid_type", () -> completion("{'prompt': 'x', 'stop': ['a', 1]}"));
        assertBadRequest("stop_token_ids[0]", "invalid_type", () -> completion("{'prompt': 'x', 'stop_token_ids': ['1']}"));
        assertBadRequest("logit_bias.5", "invalid_type", () -> completion("{'prompt': 'x', 'logit_bias': {'5': '1'}}"));
        assertBadRequest("stream_options.include_usage", "invalid_type",
                () -> completion("{'prompt': 'x', 'stream': true, 'stream_options': {'include_usage': 'yes'}}"));
    }

    // ---- ranges (checked by SamplingParams, named by the parameter)

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "max_tokens | 0", "max_tokens | -1", "max_tokens | 4294967296", "n | 0", "n | 129", "logprobs | -1",
            "logprobs | 21", "temperature | -0.1", "top_p | 0", "top_p | 1.5", "top_k | -2", "min_p | 1.5",
            "repetition_penalty | 0", "presence_penalty | 2.5", "frequency_penalty | -3", "seed | 99999999999999999999"})
    void outOfRangeValuesNameTheParameter(String param, String value) {
        assertBadRequest(param, "invalid_value", () -> completion("{'prompt': 'x', '" + param + "': " + value + "}"));
    }

    @Test
    void topKMinusOneMeansOff() {
        assertEquals(0, completion("{'prompt': 'x', 'top_k': -1}").samplingParams().topK());
    }

    @Test
    void logitBiasKeysMustBeTokenIdsAndValuesInRange() {
        assertBadRequest("logit_bias", "invalid_value", () -> completion("{'prompt': 'x', 'logit_bias': {'abc': 1}}"));
        assertBadRequest("logit_bias", "invalid_value", () -> completion("{'prompt': 'x', 'logit_bias': {'1.5': 1}}"));
        assertBadRequest("logit_bias", "invalid_value", () -> completion("{'prompt': 'x', 'logit_bias': {'-3': 1}}"));
        assertBadRequest("logit_bias", "invalid_value", () -> completion("{'prompt': 'x', 'logit_bias': {'99999999999': 1}}"));
        assertBadRequest("logit_bias", "invalid_value", () -> completion("{'prompt': 'x', 'logit_bias': {'3': 100.5}}"));
        assertBadRequest("logit_bias", "invalid_value", () -> completion("{'prompt': 'x', 'logit_bias': {'3': -1e39}}"));
        assertEquals(Map.of(3, 100f, 4, -100f, 0, 0f),
                completion("{'prompt': 'x', 'logit_bias': {'3': 100, '4': -100.0, '0': 0}}").samplingParams().logitBias());
        assertEquals(Map.of(), completion("{'prompt': 'x', 'logit_bias': {}}").samplingParams().logitBias());
    }

    @Test
    void stopAsStringOrArray() {
        assertEquals(List.of("###"), completion("{'prompt': 'x', 'stop': '###'}").samplingParams().stop());
        assertEquals(List.of(), completion("{'prompt': 'x', 'stop': []}").samplingParams().stop());
        assertBadRequest("stop", "invalid_value", () -> completion("{'prompt': 'x', 'stop': ''}"));
        assertBadRequest("stop", "invalid_value", () -> completion("{'prompt': 'x', 'stop': ['a\\ud800']}"));
        var many = new StringBuilder("{'prompt': 'x', 'stop': [");
        for (int i = 0; i <= SamplingParams.MAX_STOP_STRINGS; i++) {
            many.append(i == 0 ? "" : ",").append("'s").append(i).append("'");
        }
        assertBadRequest("stop", "invalid_value", () -> completion(many + "]}"));
    }

    @Test
    void stopTokenIdsMustBeNonNegative() {
        assertBadRequest("stop_token_ids", "invalid_value", () -> completion("{'prompt': 'x', 'stop_token_ids': [1, -2]}"));
    }

    // ---- unsupported parameters

    @Test
    void suffixIsRefused() {
        var e = assertBadRequest("suffix", "unsupported_parameter", () -> completion("{'prompt': 'x', 'suffix': 'end'}"));
        assertTrue(e.getMessage().contains("not supported"));
        assertBadRequest("suffix", "unsupported_parameter", () -> completion("{'prompt': 'x', 'suffix': ''}"));
    }

    @Test
    void bestOfMustEqualN() {
        assertEquals(2, completion("{'prompt': 'x', 'n': 2, 'best_of': 2}").n());
        assertBadRequest("best_of", "unsupported_value", () -> completion("{'prompt': 'x', 'best_of': 2}"));
        assertBadRequest("best_of", "invalid_value", () -> completion("{'prompt': 'x', 'n': 3, 'best_of': 2}"));
    }

    @Test
    void echoWithLogprobsIsRefusedEchoAloneIsFine() {
        assertTrue(completion("{'prompt': 'x', 'echo': true}").echo());
        assertBadRequest("logprobs", "unsupported_value", () -> completion("{'prompt': 'x', 'echo': true, 'logprobs': 1}"));
    }

    @Test
    void logprobsUpToTwenty() {
        assertEquals(0, completion("{'prompt': 'x', 'logprobs': 0}").samplingParams().logprobs());
        assertEquals(20, completion("{'prompt': 'x', 'logprobs': 20}").samplingParams().logprobs());
    }

    // ---- streaming

    @Test
    void streamOptionsIncludeUsage() {
        var r = completion("{'prompt': 'x', 'stream': true, 'stream_options': {'include_usage': true}}");
        assertTrue(r.stream());
        assertTrue(r.includeUsage());
        assertFalse(completion("{'prompt': 'x', 'stream': true, 'stream_options': {}}").includeUsage());
        assertFalse(completion("{'prompt': 'x', 'stream': true}").includeUsage());
    }

    @Test
    void streamOptionsWithoutStreamIsRefused() {
        assertBadRequest("stream_options", null,
                () -> completion("{'prompt': 'x', 'stream_options': {'include_usage': true}}"));
        assertBadRequest("stream_options", null,
                () -> completion("{'prompt': 'x', 'stream': false, 'stream_options': {'include_usage': true}}"));
    }

    // ---- context window

    @Test
    void contextWindowCutsTheDefaultAndRefusesAnExplicitOverflow() {
        var byDefault = completion("{'prompt': 'x'}");
        assertEquals(16, byDefault.samplingParams(100, 1024).maxTokens());
        assertEquals(4, byDefault.samplingParams(1020, 1024).maxTokens());
        var e = assertBadRequest("prompt", "context_length_exceeded", () -> byDefault.samplingParams(1024, 1024));
        assertTrue(e.getMessage().contains("maximum context length is 1024 tokens"), e.getMessage());

        var explicit = completion("{'prompt': 'x', 'max_tokens': 100}");
        assertEquals(100, explicit.samplingParams(924, 1024).maxTokens());
        e = assertBadRequest("prompt", "context_length_exceeded", () -> explicit.samplingParams(925, 1024));
        assertTrue(e.getMessage().contains("you requested 1025 tokens (925 in the prompt, 100 in the completion)"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'prompt': 'x', 'temperature': 1e400}", "{'prompt': 'x', 'logit_bias': {'1': 1e400}}"})
    void hugeNumbersAreRangeErrorsNotCrashes(String body) {
        var e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, () -> completion(body));
        assertEquals(400, e.status());
    }

    @Test
    void structuredOutputFieldsAreReadNotIgnored() {
        assertEquals(null, completion("{'prompt': 'x'}").constraint());
        assertEquals(OutputConstraint.Kind.JSON_OBJECT, completion("{'prompt': 'x', 'response_format': {'type': 'json_object'}}")
                .constraint().kind());
        assertEquals(OutputConstraint.regex("[0-9]+", "guided_regex"), completion("{'prompt': 'x', 'guided_regex': '[0-9]+'}").constraint());
        assertEquals(OutputConstraint.Kind.GRAMMAR, completion("{'prompt': 'x', 'guided_grammar': 'root ::= [a-z]+'}").constraint().kind());
        assertEquals(OutputConstraint.choice(java.util.List.of("a", "b"), "structured_outputs.choice"),
                completion("{'prompt': 'x', 'structured_outputs': {'choice': ['a', 'b']}}").constraint());
        assertEquals(OutputConstraint.Kind.JSON_SCHEMA, completion("{'prompt': 'x', 'structured_outputs': {'json': {'type': 'array'}}}")
                .constraint().kind());
        assertEquals(OutputConstraint.Kind.JSON_OBJECT, completion("{'prompt': 'x', 'structured_outputs': {'json_object': true}}")
                .constraint().kind());
        ApiAssertions.assertBadRequest("grammar", null, () -> completion("{'prompt': 'x', 'json_schema': {}, 'grammar': 'root ::= \\\"a\\\"'}"));
        ApiAssertions.assertBadRequest("guided_whitespace_pattern", "unsupported_parameter",
                () -> completion("{'prompt': 'x', 'guided_json': {}, 'guided_whitespace_pattern': ' '}"));
    }
}

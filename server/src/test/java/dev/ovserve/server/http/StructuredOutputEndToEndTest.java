package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.StructuredChatCompletion;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Structured output and tool calling end to end: the real server and engine on the tiny
 * random-weight GPT-2 (byte-level tokenizer, so it can spell any JSON), sampled at temperature
 * 1.0, with the official OpenAI Java SDK and raw HTTP/SSE. Whatever the random model prefers,
 * every finished output must parse and validate against its schema with an independent
 * validator (networknt), and calls must come back as OpenAI's {@code tool_calls}.
 */
class StructuredOutputEndToEndTest {
    static final JsonSchemaFactory VALIDATORS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    /** Short keys and bounded values: the tiny model has a context of 128 tokens, one byte each. */
    static final String WX_PARAMS = "{\"type\": \"object\", \"properties\": {\"city\": {\"enum\": [\"Oslo\", \"Rome\"]},"
            + " \"d\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 7}}, \"required\": [\"city\", \"d\"],"
            + " \"additionalProperties\": false}";
    static final String TM_PARAMS = "{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}";

    static TinyServer server;
    static OpenAIClient client;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = TinyServer.startWithToolsTemplate();
        client = server.sdk();
        http = Http.client();
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

    static JsonNode json(String text) throws Exception {
        return Http.JSON.readTree(text);
    }

    static void assertValid(String schema, String output) throws Exception {
        JsonSchema validator = VALIDATORS.getSchema(json(schema));
        var errors = validator.validate(json(output));
        assertTrue(errors.isEmpty(), () -> output + " does not validate against " + schema + ": " + errors);
    }

    // ---- structured output through the SDK

    public enum City { OSLO, ROME }

    /** What the SDK turns into a strict json_schema response format, and parses the answer back into. */
    public static class Forecast {
        public City city;
        public boolean sunny;
        public List<City> alternatives;
    }

    @Test
    void sdkStructuredOutputParsesIntoTheClassStreamedAndNot() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            var params = ChatCompletionCreateParams.builder().model(TinyServer.MODEL).addUserMessage("Forecast?")
                    .temperature(1.0).seed(seed).maxCompletionTokens(90).responseFormat(Forecast.class).build();
            StructuredChatCompletion<Forecast> c = client.chat().completions().create(params);
            var choice = c.choices().getFirst();
            assertEquals(ChatCompletion.Choice.FinishReason.Known.STOP, choice.finishReason().known());
            Forecast f = choice.message().content().orElseThrow();
            assertTrue(f.city != null && f.alternatives != null, "every property is required in strict mode");

            ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
                s.stream().forEach(acc::accumulate);
            }
            Forecast streamed = acc.chatCompletion(Forecast.class).choices().getFirst().message().content().orElseThrow();
            assertEquals(f.city, streamed.city, "the same seed gives the same output streamed");
            assertEquals(f.alternatives, streamed.alternatives);
        }
    }

    static final String SCHEMA = "{\"type\": \"object\", \"properties\": {"
            + "\"id\": {\"type\": \"string\", \"pattern\": \"^[a-z]{2}[0-9]$\"},"
            + "\"n\": {\"type\": \"integer\", \"minimum\": -5, \"maximum\": 99},"
            + "\"tags\": {\"type\": \"array\", \"items\": {\"enum\": [\"a\", \"bc\"]}, \"maxItems\": 3},"
            + "\"ok\": {\"anyOf\": [{\"type\": \"boolean\"}, {\"type\": \"null\"}]},"
            + "\"w\": {\"type\": \"string\", \"maxLength\": 4}},"
            + "\"required\": [\"id\", \"n\", \"tags\", \"ok\", \"w\"], \"additionalProperties\": false}";

    @Test
    void jsonSchemaOutputsOfEveryChoiceValidateStreamedAndNot() throws Exception {
        var format = ResponseFormatJsonSchema.JsonSchema.builder().name("rec").strict(true)
                .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                        .additionalProperties(Http.JSON.convertValue(json(SCHEMA), new com.fasterxml.jackson.core.type.TypeReference<
                                Map<String, JsonValue>>() {})).build()).build();
        var params = ChatCompletionCreateParams.builder().model(TinyServer.MODEL).addUserMessage("Record?")
                .temperature(1.0).seed(7L).n(4).maxCompletionTokens(90).jsonSchemaResponseFormat(format).build();
        ChatCompletion c = client.chat().completions().create(params).validate();
        assertEquals(4, c.choices().size());
        Set<String> distinct = new HashSet<>();
        for (var choice : c.choices()) {
            String text = choice.message().content().orElseThrow();
            assertValid(SCHEMA, text);
            distinct.add(text);
            assertEquals(ChatCompletion.Choice.FinishReason.Known.STOP, choice.finishReason().known());
        }
        assertTrue(distinct.size() > 1, "siblings sample their own outputs: " + distinct);

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        for (var choice : acc.chatCompletion().choices()) {
            assertValid(SCHEMA, choice.message().content().orElseThrow());
        }
    }

    // ---- the other constraint fields, on both endpoints

    static JsonNode completion(String fields) throws Exception {
        String defaults = (fields.contains("\"max_tokens\"") ? "" : "\"max_tokens\": 60, ")
                + (fields.contains("\"seed\"") ? "" : "\"seed\": 3, ");
        Http.Reply r = Http.post(http, server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"Answer:\","
                + " \"temperature\": 1.0, " + defaults + fields + "}");
        assertEquals(200, r.status(), r::body);
        return r.json().path("choices").get(0);
    }

    @Test
    void vllmAndLlamaCppFieldsConstrainCompletions() throws Exception {
        assertTrue(completion("\"guided_regex\": \"[0-9]{3}-[a-z]{2}\"").path("text").asText().matches("[0-9]{3}-[a-z]{2}"));
        assertTrue(completion("\"structured_outputs\": {\"regex\": \"(yes|no)!\"}").path("text").asText().matches("(yes|no)!"));
        assertTrue(Set.of("red", "green", "blue").contains(completion("\"guided_choice\": [\"red\", \"green\", \"blue\"]")
                .path("text").asText()));
        assertTrue(Set.of("up", "down").contains(completion("\"structured_outputs\": {\"choice\": [\"up\", \"down\"]}")
                .path("text").asText()));
        String gbnf = "root ::= \\\"(\\\" num (\\\",\\\" num)? \\\")\\\"\\nnum ::= [0-9]";
        assertTrue(completion("\"grammar\": \"" + gbnf + "\"").path("text").asText().matches("\\(\\d(,\\d)?\\)"));
        assertTrue(completion("\"guided_grammar\": \"" + gbnf + "\"").path("text").asText().matches("\\(\\d(,\\d)?\\)"));
        assertTrue(completion("\"structured_outputs\": {\"grammar\": \"" + gbnf + "\"}").path("text").asText().matches("\\(\\d(,\\d)?\\)"));
        String small = "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"boolean\"}}, \"required\": [\"a\"], \"additionalProperties\": false}";
        assertValid(small, completion("\"json_schema\": " + small).path("text").asText());
        assertValid(small, completion("\"guided_json\": " + small).path("text").asText());
        assertValid(small, completion("\"structured_outputs\": {\"json\": " + small + "}").path("text").asText());
        assertValid(small, completion("\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": "
                + small + "}}").path("text").asText());
        JsonNode object = completion("\"response_format\": {\"type\": \"json_object\"}, \"max_tokens\": 100, \"seed\": 11");
        if (object.path("finish_reason").asText().equals("stop")) {
            assertTrue(json(object.path("text").asText()).isObject(), object::toString);
        }
        assertEquals("stop", completion("\"guided_choice\": [\"x\"]").path("finish_reason").asText(), "a complete output stops");
    }

    @Test
    void unsupportedOrDoubledConstraintsAreRefusedByName() throws Exception {
        Http.Reply r = Http.post(http, server, "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                + " \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\":"
                + " {\"type\": \"array\", \"uniqueItems\": true}}}}");
        JsonNode e = Http.assertError(r, 400, "response_format.json_schema.schema", "unsupported_value");
        assertTrue(e.path("message").asText().contains("uniqueItems"), e::toString);

        r = Http.post(http, server, "/v1/completions", "{\"prompt\": \"x\", \"guided_regex\": \"a\", \"grammar\": \"root ::= [a]\"}");
        e = Http.assertError(r, 400);
        assertTrue(e.path("message").asText().contains("guided_regex") && e.path("message").asText().contains("grammar"), e::toString);

        r = Http.post(http, server, "/v1/completions", "{\"prompt\": \"x\", \"guided_regex\": \"(a\"}");
        Http.assertError(r, 400, "guided_regex", "invalid_value");
        r = Http.post(http, server, "/v1/completions", "{\"prompt\": \"x\", \"structured_outputs\": {\"structural_tag\": \"{}\"}}");
        Http.assertError(r, 400, "structured_outputs.structural_tag", "unsupported_parameter");
        String unsupportedTool = "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\":"
                + " {\"type\": \"object\", \"properties\": {\"xs\": {\"type\": \"array\", \"uniqueItems\": true}}}}}]";
        r = Http.post(http, server, "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                + " \"tool_choice\": \"required\", " + unsupportedTool + "}");
        e = Http.assertError(r, 400, "tools", "unsupported_value");
        assertTrue(e.path("message").asText().contains("uniqueItems"), e::toString);
        Http.Reply auto = Http.post(http, server, "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                + " \"max_tokens\": 4, " + unsupportedTool + "}");
        assertEquals(200, auto.status(), () -> "auto parses calls without the lazy constraint then: " + auto.body());
        assertEquals(0, server.awaitIdle(java.time.Duration.ofSeconds(5)).usedBlocks());
    }

    // ---- tool calls through the SDK

    static ChatCompletionFunctionTool tool(String name, String parameters) throws Exception {
        var p = FunctionParameters.builder();
        json(parameters).properties().forEach(e -> p.putAdditionalProperty(e.getKey(), JsonValue.from(Http.JSON.convertValue(e.getValue(), Object.class))));
        return ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name(name).parameters(p.build()).build()).build();
    }

    static ChatCompletionCreateParams.Builder toolRequest(long seed) throws Exception {
        return ChatCompletionCreateParams.builder().model(TinyServer.MODEL).addUserMessage("Weather?")
                .addTool(tool("wx", WX_PARAMS)).addTool(tool("tm", TM_PARAMS)).temperature(1.0).seed(seed).maxCompletionTokens(96);
    }

    /** Checks one choice's calls: ids, known names, arguments valid for that function; returns the names. */
    static List<String> assertCalls(List<ChatCompletionMessageFunctionToolCall> calls) throws Exception {
        List<String> names = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (var call : calls) {
            assertTrue(call.id().startsWith("call_") && ids.add(call.id()), call.id());
            String name = call.function().name();
            assertValid(name.equals("wx") ? WX_PARAMS : name.equals("tm") ? TM_PARAMS : "false", call.function().arguments());
            names.add(name);
        }
        return names;
    }

    static List<ChatCompletionMessageFunctionToolCall> functionCalls(ChatCompletion.Choice choice) {
        return choice.message().toolCalls().orElse(List.of()).stream().map(t -> t.asFunction()).toList();
    }

    @Test
    void namedRequiredAndParallelToolCallsStreamedAndNot() throws Exception {
        var named = ChatCompletionNamedToolChoice.builder().function(ChatCompletionNamedToolChoice.Function.builder().name("wx").build()).build();
        int multi = 0;
        for (long seed = 1; seed <= 6; seed++) {
            for (var choiceOption : List.of(ChatCompletionToolChoiceOption.ofNamedToolChoice(named),
                    ChatCompletionToolChoiceOption.ofAuto(ChatCompletionToolChoiceOption.Auto.REQUIRED))) {
                for (boolean parallel : List.of(true, false)) {
                    var params = toolRequest(seed).toolChoice(choiceOption).parallelToolCalls(parallel).build();
                    ChatCompletion c = client.chat().completions().create(params).validate();
                    var choice = c.choices().getFirst();
                    if (choice.finishReason().known() == ChatCompletion.Choice.FinishReason.Known.LENGTH) {
                        continue; // parallel calls can outgrow the tiny model's 128-token context
                    }
                    assertEquals(ChatCompletion.Choice.FinishReason.Known.TOOL_CALLS, choice.finishReason().known(), c::toString);
                    assertTrue(choice.message().content().isEmpty(), "content is null beside calls");
                    List<String> names = assertCalls(functionCalls(choice));
                    assertFalse(names.isEmpty());
                    if (choiceOption.isNamedToolChoice()) {
                        assertEquals(List.of("wx"), names);
                    }
                    if (!parallel) {
                        assertEquals(1, names.size(), "parallel_tool_calls false: one call");
                    }
                    multi += names.size() > 1 ? 1 : 0;

                    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
                    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
                        s.stream().forEach(acc::accumulate);
                    }
                    var streamed = acc.chatCompletion().choices().getFirst();
                    assertEquals(ChatCompletion.Choice.FinishReason.Known.TOOL_CALLS, streamed.finishReason().known());
                    assertEquals(names, assertCalls(functionCalls(streamed)), "streamed deltas rebuild the same calls");
                }
            }
        }
        assertTrue(multi > 0, "some parallel request made more than one call");
    }

    @Test
    void autoLetsTheModelAnswerInTextAndShowsTheToolsToTheTemplate() throws Exception {
        ChatCompletion c = client.chat().completions().create(toolRequest(5).temperature(0.0).maxCompletionTokens(8)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build()).validate();
        var choice = c.choices().getFirst();
        assertTrue(choice.message().toolCalls().orElse(List.of()).isEmpty(), "a random model writes no <tool_call>");
        assertEquals(ChatCompletion.Choice.FinishReason.Known.LENGTH, choice.finishReason().known());
        assertEquals(server.encode("T: wx tm;\nu: Weather?\na:").length, c.usage().orElseThrow().promptTokens(),
                "the template saw the tools");

        ChatCompletion none = client.chat().completions().create(toolRequest(5).temperature(0.0).maxCompletionTokens(8)
                .toolChoice(ChatCompletionToolChoiceOption.ofAuto(ChatCompletionToolChoiceOption.Auto.NONE))
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build()).validate();
        assertEquals(choice.message().content(), none.choices().getFirst().message().content(), "none: the same text");
    }

    /**
     * "auto" when the model does call: a logit bias makes the random model write {@code <tool_call>}
     * (one added token, as in Qwen's vocabulary) first; from there the call is held to the tools'
     * schemas, so it parses and validates, and without parallel calls the output ends with it.
     */
    @Test
    void autoCallsTheModelStartsAreHeldToTheSchemasStreamedAndNot() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            var params = toolRequest(seed).parallelToolCalls(false)
                    .logitBias(ChatCompletionCreateParams.LogitBias.builder()
                            .putAdditionalProperty(Integer.toString(TinyServer.TOOL_CALL_TOKEN), JsonValue.from(100)).build())
                    .build();
            ChatCompletion c = client.chat().completions().create(params).validate();
            var choice = c.choices().getFirst();
            assertEquals(ChatCompletion.Choice.FinishReason.Known.TOOL_CALLS, choice.finishReason().known(), c::toString);
            List<String> names = assertCalls(functionCalls(choice));
            assertEquals(1, names.size());

            ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
                s.stream().forEach(acc::accumulate);
            }
            var streamed = acc.chatCompletion().choices().getFirst();
            assertEquals(ChatCompletion.Choice.FinishReason.Known.TOOL_CALLS, streamed.finishReason().known());
            assertEquals(names, assertCalls(functionCalls(streamed)));
            assertEquals(functionCalls(choice).getFirst().function().arguments(),
                    functionCalls(streamed).getFirst().function().arguments(), "the same seed, the same call");
        }
    }

    @Test
    void toolCallsAndResultsInTheHistoryGoThroughTheTemplate() throws Exception {
        String body = "{\"model\": \"tiny\", \"max_tokens\": 2, \"temperature\": 0, \"ignore_eos\": true,"
                + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"wx\", \"parameters\": " + WX_PARAMS + "}}],"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"Weather?\"},"
                + " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", \"type\": \"function\","
                + " \"function\": {\"name\": \"wx\", \"arguments\": \"{\\\"city\\\": \\\"Oslo\\\", \\\"d\\\": 2}\"}}]},"
                + " {\"role\": \"tool\", \"tool_call_id\": \"call_1\", \"content\": \"sun\"}]}";
        Http.Reply r = Http.post(http, server, "/v1/chat/completions", body);
        assertEquals(200, r.status(), r::body);
        String rendered = "T: wx;\nu: Weather?\n<tool_call>wx(Oslo)</tool_call>;\nR(call_1): sun\na:";
        assertEquals(server.encode(rendered).length, r.json().path("usage").path("prompt_tokens").asInt(),
                "arguments reach the template as an object, the result with its call id");
    }

    // ---- the raw SSE shape of tool_calls deltas

    @Test
    void rawSseToolCallDeltasNameFirstThenArgumentFragments() throws Exception {
        String body = "{\"model\": \"tiny\", \"stream\": true, \"temperature\": 1.0, \"seed\": 2, \"max_tokens\": 96,"
                + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"wx\", \"parameters\": " + WX_PARAMS + "}},"
                + " {\"type\": \"function\", \"function\": {\"name\": \"tm\", \"parameters\": " + TM_PARAMS + "}}],"
                + " \"tool_choice\": \"required\", \"parallel_tool_calls\": false,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"Weather?\"}]}";
        Sse.Stream s = Sse.postOk(http, server, "/v1/chat/completions", body);
        assertEquals("assistant", s.choices().getFirst().path("delta").path("role").asText(), "the role opens the choice");
        String name = null;
        String id = null;
        StringBuilder args = new StringBuilder();
        int fragments = 0;
        for (JsonNode c : s.choices()) {
            JsonNode calls = c.path("delta").path("tool_calls");
            if (calls.isMissingNode()) {
                assertTrue(c.path("delta").path("content").asText("").isEmpty(), "no content beside forced calls: " + c);
                continue;
            }
            assertEquals(1, calls.size());
            JsonNode call = calls.get(0);
            assertEquals(0, call.path("index").asInt());
            if (name == null) {
                assertTrue(call.path("id").asText().startsWith("call_"), call::toString);
                assertEquals("function", call.path("type").asText());
                name = call.path("function").path("name").asText();
                id = call.path("id").asText();
                assertEquals("", call.path("function").path("arguments").asText(), "the name comes alone first");
            } else {
                assertFalse(call.has("id") || call.path("function").has("name"), "later deltas carry arguments only: " + call);
                args.append(call.path("function").path("arguments").asText());
                fragments++;
            }
        }
        assertTrue(Set.of("wx", "tm").contains(name), String.valueOf(name));
        assertTrue(id != null && fragments > 1, "arguments arrive in fragments: " + fragments);
        assertValid(name.equals("wx") ? WX_PARAMS : TM_PARAMS, args.toString());
        assertEquals("tool_calls", s.finishReason(0));
    }
}

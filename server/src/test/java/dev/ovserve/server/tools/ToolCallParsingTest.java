package dev.ovserve.server.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovserve.server.api.ToolCall;
import dev.ovserve.server.api.ToolChoice;
import dev.ovserve.server.api.ToolDefinition;
import dev.ovserve.server.api.ToolRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tool-call output parsing per family, whole and streamed in random pieces. */
class ToolCallParsingTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static void assertCalls(List<ToolCall> calls, String... nameThenArgs) throws Exception {
        assertEquals(nameThenArgs.length / 2, calls.size(), calls.toString());
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(nameThenArgs[2 * i], calls.get(i).name());
            assertEquals(JSON.readTree(nameThenArgs[2 * i + 1]), JSON.readTree(calls.get(i).arguments()));
            assertTrue(calls.get(i).id().matches("call_[0-9A-Za-z]{24}"));
        }
    }

    @Test
    void hermes() throws Exception {
        ParsedOutput p = ToolCallFormat.HERMES.parse("Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                + "{\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>");
        assertEquals("Let me check.\n", p.content());
        assertCalls(p.calls(), "get_weather", "{\"city\": \"Paris\"}", "get_time", "{}");
        assertNull(ToolCallFormat.HERMES.parse("<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1}}").content(),
                "an unclosed last call still parses");
        assertEquals("no calls here", ToolCallFormat.HERMES.parse("no calls here").content());
        ParsedOutput broken = ToolCallFormat.HERMES.parse("<tool_call>{\"name\": oops</tool_call>");
        assertTrue(broken.calls().isEmpty());
        assertEquals("<tool_call>{\"name\": oops</tool_call>", broken.content(), "a malformed call is shown, not lost");
    }

    @Test
    void llama3Json() throws Exception {
        assertCalls(ToolCallFormat.LLAMA3_JSON.parse(" {\"name\": \"f\", \"parameters\": {\"x\": \"a;b\"}}").calls(), "f", "{\"x\": \"a;b\"}");
        assertCalls(ToolCallFormat.LLAMA3_JSON.parse("<|python_tag|>{\"name\": \"f\", \"parameters\": {}}; {\"name\": \"g\","
                + " \"parameters\": {\"y\": 2}}").calls(), "f", "{}", "g", "{\"y\": 2}");
        assertEquals("Hello {not a call}", ToolCallFormat.LLAMA3_JSON.parse("Hello {not a call}").content());
    }

    @Test
    void mistral() throws Exception {
        assertCalls(ToolCallFormat.MISTRAL.parse("[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": {\"q\": 1}}, {\"name\": \"g\","
                + " \"arguments\": {}}]").calls(), "f", "{\"q\": 1}", "g", "{}");
        assertCalls(ToolCallFormat.MISTRAL.parse("[TOOL_CALLS]f[ARGS]{\"q\": 1}").calls(), "f", "{\"q\": 1}");
        assertCalls(ToolCallFormat.MISTRAL.parse(" [{\"name\": \"f\", \"arguments\": {}}]").calls(), "f", "{}");
        assertEquals("[not, calls]", ToolCallFormat.MISTRAL.parse("[not, calls]").content());
        ToolMode mistral = ToolMode.of(request(new ToolChoice.Auto(), true), ToolCallFormat.MISTRAL);
        assertEquals(List.of("g {}"), streamed(mistral.stream(), "[{\"name\": \"g\", \"arguments\": {}}]", new Random(4)).get("calls"),
                "the special [TOOL_CALLS] is dropped by decoding; the array alone is the call");
    }

    @Test
    void familyFromTheTemplateOrByName() {
        assertEquals(ToolCallFormat.HERMES, ToolCallFormat.detect("{{- '<tool_call>\\n' }}"));
        assertEquals(ToolCallFormat.MISTRAL, ToolCallFormat.detect("{{ '[TOOL_CALLS]' }}"));
        assertEquals(ToolCallFormat.LLAMA3_JSON, ToolCallFormat.detect("<|start_header_id|>{{ 'parameters' }}"));
        assertEquals(ToolCallFormat.HERMES, ToolCallFormat.detect("plain"));
        assertEquals(ToolCallFormat.LLAMA3_JSON, ToolCallFormat.named("llama3_json"));
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ToolCallFormat.named("xml")).getMessage().contains("hermes"));
    }

    // ---- streaming: the deltas, put together, equal the whole parse

    /** Feeds the text in random pieces; returns content and each call's (name, arguments) rebuilt from the deltas. */
    static Map<String, Object> streamed(ToolCallStream s, String text, Random r) {
        StringBuilder content = new StringBuilder();
        Map<Integer, String[]> calls = new LinkedHashMap<>();
        List<ToolEvent> events = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int n = 1 + r.nextInt(6);
            events.addAll(s.feed(text.substring(i, Math.min(text.length(), i + n))));
            i += n;
        }
        events.addAll(s.finish());
        for (ToolEvent e : events) {
            switch (e) {
                case ToolEvent.Content c -> content.append(c.text());
                case ToolEvent.CallDelta d -> {
                    if (d.id() != null) {
                        assertTrue(!calls.containsKey(d.index()), "a call opens once");
                        assertTrue(d.name() != null && d.arguments().isEmpty(), "the name comes first, alone");
                        calls.put(d.index(), new String[] {d.name(), ""});
                    } else {
                        assertTrue(calls.containsKey(d.index()), "arguments only after the name");
                        calls.get(d.index())[1] += d.arguments();
                    }
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("content", content.toString());
        out.put("calls", calls.values().stream().map(c -> c[0] + " " + c[1].strip()).toList());
        return out;
    }

    static ToolRequest request(ToolChoice choice, boolean parallel) throws Exception {
        var params = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree("{\"type\": \"object\"}");
        return new ToolRequest(List.of(new ToolDefinition("f", null, params, JSON.createObjectNode()),
                new ToolDefinition("g", null, params, JSON.createObjectNode())), choice, parallel);
    }

    @Test
    void streamedRequiredCallsMatchTheWholeParse() throws Exception {
        ToolMode mode = ToolMode.of(request(new ToolChoice.Required(), true), ToolCallFormat.HERMES);
        String text = "[{\"name\": \"f\", \"parameters\": {\"a\": \"x}]\\\"\", \"b\": [1, {\"c\": null}]}}, "
                + "{\"parameters\": {}, \"name\": \"g\"}, {\"name\": \"f\", \"parameters\": \"s,}\"}]";
        for (int seed = 0; seed < 50; seed++) {
            Map<String, Object> s = streamed(mode.stream(), text, new Random(seed));
            assertEquals(List.of("f {\"a\": \"x}]\\\"\", \"b\": [1, {\"c\": null}]}", "g {}", "f \"s,}\""), s.get("calls"));
            assertEquals("", s.get("content"));
        }
        assertCalls(mode.parse(text).calls(), "f", "{\"a\": \"x}]\\\"\", \"b\": [1, {\"c\": null}]}", "g", "{}", "f", "\"s,}\"");
    }

    @Test
    void streamedNamedCallIsItsArguments() throws Exception {
        ToolMode mode = ToolMode.of(request(new ToolChoice.Named("g"), true), ToolCallFormat.HERMES);
        Map<String, Object> s = streamed(mode.stream(), "{\"k\": [1, 2]}", new Random(1));
        assertEquals(List.of("g {\"k\": [1, 2]}"), s.get("calls"));
        assertCalls(mode.parse("{\"k\": [1, 2]}").calls(), "g", "{\"k\": [1, 2]}");
        assertEquals("{\"k\": [1,", mode.parse("{\"k\": [1,").content(), "cut short: shown as text");
    }

    @Test
    void streamedAutoHoldsOnlyWhatMayBeACall() throws Exception {
        ToolMode mode = ToolMode.of(request(new ToolChoice.Auto(), true), ToolCallFormat.HERMES);
        String text = "I will call <tool <tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n</tool_call>";
        for (int seed = 0; seed < 30; seed++) {
            Map<String, Object> s = streamed(mode.stream(), text, new Random(seed));
            assertEquals("I will call <tool ", s.get("content"));
            assertEquals(List.of("f {\"x\":1}"), s.get("calls"));
        }
        Map<String, Object> plain = streamed(mode.stream(), "just text <tool", new Random(3));
        assertEquals("just text <tool", plain.get("content"), "a held-back partial marker comes out at the end");
        assertEquals(List.of(), plain.get("calls"));

        ToolMode llama = ToolMode.of(request(new ToolChoice.Auto(), true), ToolCallFormat.LLAMA3_JSON);
        assertEquals(List.of("g {\"y\":2}"), streamed(llama.stream(), "  {\"name\": \"g\", \"parameters\": {\"y\": 2}}",
                new Random(2)).get("calls"));
        assertEquals("Sure {x}", streamed(llama.stream(), "Sure {x}", new Random(2)).get("content"));
    }

    @Test
    void requiredSchemaListsEveryToolAndHonoursParallel() throws Exception {
        ToolMode one = ToolMode.of(request(new ToolChoice.Required(), false), ToolCallFormat.HERMES);
        var schema = one.requiredSchema();
        assertEquals(1, schema.get("maxItems").intValue());
        assertEquals(1, schema.get("minItems").intValue());
        assertEquals("g", schema.at("/items/anyOf/1/properties/name/const").asText());
        assertTrue(ToolMode.of(request(new ToolChoice.Required(), true), ToolCallFormat.HERMES).requiredSchema().get("maxItems") == null);
        assertEquals("tools[1].function.parameters", ToolMode.of(request(new ToolChoice.Named("g"), true), ToolCallFormat.HERMES)
                .constraint().param());
        assertNull(ToolMode.of(request(new ToolChoice.Auto(), true), ToolCallFormat.HERMES).constraint());
        assertNull(ToolMode.of(request(new ToolChoice.None(), true), ToolCallFormat.HERMES));
    }

}

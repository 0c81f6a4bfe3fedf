package dev.ovserve.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The real chat templates of Llama 3.x, Qwen2.5, Qwen3, Mistral, Phi-3, Gemma and SmolLM2, each
 * rendered for a set of conversations and compared character for character with what
 * transformers' {@code apply_chat_template} produced (fixtures made by
 * {@code scripts/fixtures/make-family-fixtures.sh templates}; see {@code chat/README.md}).
 */
class ChatTemplateCorpusTest {
    record Case(String template, String caseName, List<Map<String, Object>> messages, List<Object> tools,
                Map<String, Object> kwargs, boolean addGenerationPrompt, String bosToken, String eosToken, String rendered,
                String error) {}

    static List<Case> cases() throws IOException {
        List<Map<String, Object>> raw;
        try (InputStream in = ChatTemplateCorpusTest.class.getResourceAsStream("/chat/rendered.json")) {
            raw = new ObjectMapper().readValue(in, new TypeReference<>() {});
        }
        List<Case> cases = new ArrayList<>();
        for (Map<String, Object> e : raw) {
            @SuppressWarnings("unchecked")
            var messages = (List<Map<String, Object>>) e.get("messages");
            @SuppressWarnings("unchecked")
            var tools = (List<Object>) e.get("tools");
            @SuppressWarnings("unchecked")
            var kwargs = (Map<String, Object>) e.getOrDefault("kwargs", Map.of());
            cases.add(new Case((String) e.get("template"), (String) e.get("case"), messages, tools, kwargs,
                    (Boolean) e.get("add_generation_prompt"), (String) e.get("bos_token"), (String) e.get("eos_token"),
                    (String) e.get("rendered"), (String) e.get("error")));
        }
        return cases;
    }

    static String source(String template) throws IOException {
        try (InputStream in = ChatTemplateCorpusTest.class.getResourceAsStream("/chat/templates/" + template + ".jinja")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyTemplateRendersAsTransformersDoes() throws IOException {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 50, "the corpus is there: " + cases.size());
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            tests.add(DynamicTest.dynamicTest(c.template() + " / " + c.caseName(), () -> {
                ChatTemplate t = ChatTemplate.of(source(c.template()), c.bosToken(), c.eosToken());
                List<ChatMessage> messages = c.messages().stream()
                        .map(m -> new ChatMessage((String) m.get("role"), (String) m.get("content"))).toList();
                if (c.error() != null) {
                    var e = assertThrows(ChatTemplateException.class,
                            () -> t.render(messages, c.tools(), c.addGenerationPrompt(), c.kwargs()));
                    assertTrue(e.raisedByTemplate(), e.getMessage());
                    assertEquals(c.error(), e.getMessage());
                } else {
                    assertEquals(c.rendered(), t.render(messages, c.tools(), c.addGenerationPrompt(), c.kwargs()));
                }
            }));
        }
        return tests.stream();
    }
}

package dev.ovserve.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateLoadTest {
    @TempDir
    Path dir;

    private static final List<ChatMessage> HI = List.of(new ChatMessage("user", "Hi"));

    @Test
    void stringTemplateAndAddedTokenObjects() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
                 "chat_template": "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{{ eos_token }}{% endfor %}"}
                """);
        var t = ChatTemplate.load(dir);
        assertFalse(t.isDefault());
        assertEquals(Optional.of("<s>"), t.bosToken());
        assertEquals("<s>Hi</s>", t.render(HI));
    }

    @Test
    void namedTemplatesTakeDefault() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": [{"name": "tool_use", "template": "tools"}, {"name": "default", "template": "plain {{ messages[0].content }}"}]}
                """);
        assertEquals("plain Hi", ChatTemplate.load(dir).render(HI));
    }

    @Test
    void namedTemplatesWithoutDefaultAreAnError() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": [{"name": "tool_use", "template": "tools"}]}
                """);
        assertThrows(IOException.class, () -> ChatTemplate.load(dir));
    }

    @Test
    void jinjaFileWinsOverJsonFileWinsOverConfig() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"eos_token": "</s>", "chat_template": "config"}
                """);
        assertEquals("config", ChatTemplate.load(dir).render(HI));
        Files.writeString(dir.resolve("chat_template.json"), """
                {"chat_template": "json {{ eos_token }}"}
                """);
        assertEquals("json </s>", ChatTemplate.load(dir).render(HI));
        Files.writeString(dir.resolve("chat_template.jinja"), "jinja {{ eos_token }}\n");
        assertEquals("jinja </s>", ChatTemplate.load(dir).render(HI));
    }

    @Test
    void noTemplateMeansThePlainDefault() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|endoftext|>\"}");
        var t = ChatTemplate.load(dir);
        assertTrue(t.isDefault());
        assertEquals("user: Hi\nassistant:", t.render(HI));
        assertTrue(ChatTemplate.load(dir.resolve("missing")).isDefault());
    }
}

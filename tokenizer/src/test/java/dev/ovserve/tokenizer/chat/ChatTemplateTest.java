package dev.ovserve.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    /** Qwen2 / TinyLlama-chat-v0.x ChatML, as in their tokenizer_config.json (after JSON decoding). */
    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
            + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** meta-llama/Llama-2-7b-chat-hf's template, verbatim. */
    static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
            + "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    /** TinyLlama-1.1B-Chat-v1.0 (Zephyr style): relies on trim_blocks to drop the newline after each tag. */
    static final String ZEPHYR = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n"
            + "{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n"
            + "{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n"
            + "{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n"
            + "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

    static final List<ChatMessage> CONVERSATION = List.of(
            new ChatMessage("system", "You are helpful."),
            new ChatMessage("user", "Hi"),
            new ChatMessage("assistant", "Hello!"),
            new ChatMessage("user", "How are you?"));

    @Test
    void chatMlRendersExactly() {
        var t = ChatTemplate.of(CHATML, null, "<|im_end|>");
        assertEquals("<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nHow are you?<|im_end|>\n"
                + "<|im_start|>assistant\n", t.render(CONVERSATION));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n", t.render(List.of(new ChatMessage("user", "Hi")), false));
    }

    @Test
    void llama2FoldsTheSystemPromptAndUsesBosEos() {
        var t = ChatTemplate.of(LLAMA2, "<s>", "</s>");
        assertEquals("<s>[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] How are you? [/INST]",
                t.render(CONVERSATION));
        assertEquals("<s>[INST] Hi there [/INST]", t.render(List.of(new ChatMessage("user", "  Hi there \n"))));
    }

    @Test
    void raiseExceptionSurfacesTheTemplatesMessage() {
        var t = ChatTemplate.of(LLAMA2, "<s>", "</s>");
        var e = assertThrows(ChatTemplateException.class, () -> t.render(List.of(
                new ChatMessage("user", "a"), new ChatMessage("user", "b"))));
        assertEquals("Conversation roles must alternate user/assistant/user/assistant/...", e.getMessage());
        assertTrue(e.raisedByTemplate());
    }

    @Test
    void trimBlocksDropsTheNewlineAfterEachTag() {
        var t = ChatTemplate.of(ZEPHYR, "<s>", "</s>");
        assertEquals("<|system|>\nYou are helpful.</s>\n<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n"
                + "<|user|>\nHow are you?</s>\n<|assistant|>\n", t.render(CONVERSATION));
    }

    @Test
    void lstripBlocksDropsIndentationBeforeATag() {
        var t = ChatTemplate.of("{% for m in messages %}\n    {% if m.role == 'user' %}\n[{{ m.content }}]\n    {% endif %}\n{% endfor %}",
                null, null);
        assertEquals("[a]\n[c]\n", t.render(List.of(new ChatMessage("user", "a"), new ChatMessage("assistant", "b"),
                new ChatMessage("user", "c"))));
    }

    @Test
    void jinjaDropsOneTrailingNewlineOfTheSource() {
        assertEquals("x", ChatTemplate.of("x\n", null, null).render(List.of()));
        assertEquals("x\n", ChatTemplate.of("x\n\n", null, null).render(List.of()));
        assertEquals("a\nb", ChatTemplate.of("a\r\nb\r\n", null, null).render(List.of()));
    }

    @Test
    void plainDefaultTemplate() {
        var t = ChatTemplate.plain(null, null);
        assertTrue(t.isDefault());
        assertEquals("system: You are helpful.\nuser: Hi\nassistant: Hello!\nuser: How are you?\nassistant:",
                t.render(CONVERSATION));
        assertEquals("user: Hi\n", t.render(List.of(new ChatMessage("user", "Hi")), false));
    }

    @Test
    void undefinedSpecialTokensRenderEmptyAndTestUndefined() {
        var t = ChatTemplate.of("[{{ bos_token }}]{{ eos_token is defined }}", null, null);
        assertEquals("[]false", t.render(List.of()));
        assertEquals("[<s>]true", ChatTemplate.of("[{{ bos_token }}]{{ eos_token is defined }}", "<s>", "</s>").render(List.of()));
    }

    @Test
    void tojsonWritesLikePythonsJsonDumps() {
        var t = ChatTemplate.of("{{ messages|tojson }}", null, null);
        assertEquals("[{\"role\": \"user\", \"content\": \"h\\u00e9 \\\"q\\\"\\n\\u0001\"}]".replace("\\u00e9", "é"),
                t.render(List.of(new ChatMessage("user", "hé \"q\"\n\u0001"))));
        assertEquals("{\"a\": [1, 2.5, true, null], \"b\": {}}",
                ChatTemplate.of("{% set d = {'a': [1, 2.5, true, none], 'b': {} } %}{{ d|tojson }}", null, null).render(List.of()));
        assertEquals("{\n  \"a\": [\n    1\n  ]\n}",
                ChatTemplate.of("{{ {'a': [1]}|tojson(indent=2) }}", null, null).render(List.of()));
        assertEquals("{\"a\": 1, \"b\": 2}",
                ChatTemplate.of("{{ {'b': 2, 'a': 1}|tojson(sort_keys=true) }}", null, null).render(List.of()));
    }

    @Test
    void pythonFloatSpelling() {
        assertEquals("1.0", PythonJson.pyFloat(1));
        assertEquals("0.1", PythonJson.pyFloat(0.1));
        assertEquals("0.0001", PythonJson.pyFloat(1e-4));
        assertEquals("1e-05", PythonJson.pyFloat(1e-5));
        assertEquals("1234567890123456.0", PythonJson.pyFloat(1234567890123456.0));
        assertEquals("1e+16", PythonJson.pyFloat(1e16));
        assertEquals("-2.5e+20", PythonJson.pyFloat(-2.5e20));
        assertEquals("-0.0", PythonJson.pyFloat(-0.0));
        assertEquals("123.456", PythonJson.pyFloat(123.456));
    }

    @Test
    void pythonStringMethods() {
        var t = ChatTemplate.of("{% set c = messages[0]['content'] %}"
                + "{{ c.startswith('Hel') }} {{ c.endswith(('x', 'd!')) }} {{ c.split() }} {{ c.split('l', 1) }} "
                + "{{ c.upper() }} {{ c.lower() }} {{ c.strip('H!') }} {{ c.lstrip('H') }} {{ c.rstrip('!') }} "
                + "{{ 'hello wORLD'.title() }} {{ c.replace('l', 'L') }} {{ c.find('o') }} {{ c.count('l') }} "
                + "{{ 'aBC'.capitalize() }}", null, null);
        assertEquals("true true ['Hello', 'world!'] ['He', 'lo world!'] HELLO WORLD! hello world! ello world ello world! Hello world "
                + "Hello World HeLLo worLd! 4 3 Abc", t.render(List.of(new ChatMessage("user", "Hello world!"))));
    }

    @Test
    void filtersFollowPython() {
        var t = ChatTemplate.of("[{{ messages[0].content|trim }}] {{ messages[0].content|length }} "
                + "{{ messages|length }} {{ 'hELLO'|capitalize }} [{{ 'xxaxx'|trim('x') }}]", null, null);
        // U+00A0 is whitespace to Python's str.strip; U+1F600 is one character to len().
        assertEquals("[a\uD83D\uDE00] 5 1 Hello [a]", t.render(List.of(new ChatMessage("user", "\u00A0 a\uD83D\uDE00\n"))));
    }

    @Test
    void loopsNamespacesSlicesAndWhitespaceControl() {
        var t = ChatTemplate.of("{%- set ns = namespace(n=0) -%}\n{%- for m in messages[1:] -%}\n"
                + "{%- set ns.n = ns.n + 1 -%}{{ loop.index0 }}{{ m.role[0] }}{% if not loop.last %},{% endif %}\n"
                + "{%- endfor %} {{ ns.n }} {{ messages[-1].content }} {{ messages[-1].content[-4] }}", null, null);
        assertEquals("0u,1a,2u 3 How are you? y", t.render(CONVERSATION));
    }

    @Test
    void generationTagRendersItsBody() {
        var t = ChatTemplate.of("{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}<{{ m.content }}>"
                + "{% endgeneration %}{% else %}{{ m.content }}{% endif %}{% endfor %}", null, null);
        assertEquals("Hi<Hello!>", t.render(List.of(new ChatMessage("user", "Hi"), new ChatMessage("assistant", "Hello!"))));
    }

    @Test
    void strftimeFormatsLikePython() {
        var t = java.time.ZonedDateTime.of(2024, 7, 26, 9, 5, 3, 0, java.time.ZoneOffset.UTC);
        assertEquals("26 Jul 2024 09:05:03 Friday July 07 24 AM 208 %x",
                Strftime.format("%d %b %Y %H:%M:%S %A %B %m %y %p %j %x", t));
        String today = ChatTemplate.of("{{ strftime_now('%Y') }}", null, null).render(List.of());
        assertEquals(String.valueOf(java.time.Year.now().getValue()), today);
    }

    @Test
    void templateThatDoesNotParseFailsAtConstruction() {
        var e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.of("{% for m in messages %}{{ m }}", null, null));
        assertFalse(e.raisedByTemplate());
        assertTrue(e.getMessage().startsWith("chat template does not parse"), e.getMessage());
    }

    @Test
    void renderErrorsOtherThanRaiseException() {
        var t = ChatTemplate.of("{{ messages[0].content * 3 }}", null, null);
        var e = assertThrows(ChatTemplateException.class, () -> t.render(List.of(new ChatMessage("user", "x"))));
        assertFalse(e.raisedByTemplate());
    }

    @Test
    void templatesCannotReadFiles() {
        var t = ChatTemplate.of("{% include 'tokenizer_config.json' %}x", null, null);
        assertThrows(ChatTemplateException.class, () -> t.render(List.of()));
    }

    @Test
    void parsedTemplatesAreCached() {
        String source = CHATML + "{# cache test #}";
        long hitsBefore = ChatTemplate.cacheStats().hitCount();
        var t = ChatTemplate.of(source, null, null);
        t.render(CONVERSATION);
        t.render(CONVERSATION);
        ChatTemplate.of(source, null, null);
        assertTrue(ChatTemplate.cacheStats().hitCount() - hitsBefore >= 3);
    }

    @Test
    void rendersConcurrently() throws Exception {
        var t = ChatTemplate.of(LLAMA2, "<s>", "</s>");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            var futures = new java.util.ArrayList<Future<String>>();
            for (int i = 0; i < 200; i++) {
                int k = i;
                futures.add(pool.submit(() -> t.render(List.of(new ChatMessage("user", "q" + k)))));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals("<s>[INST] q" + i + " [/INST]", futures.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

package dev.ovserve.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Jinja2 constructs Jinjava reads differently, rendered as Jinja2 renders them. */
class Jinja2SyntaxTest {
    static final List<ChatMessage> THREE = List.of(new ChatMessage("user", "a"), new ChatMessage("assistant", "b"),
            new ChatMessage("user", "c"));

    static String render(String source) {
        return ChatTemplate.of(source, null, null).render(THREE, List.of(Map.of("type", "function")), false, Map.of());
    }

    @Test
    void notBindsLooserThanTestsAndComparisons() {
        assertEquals("def", render("{% if not tools is defined %}undef{% else %}def{% endif %}"));
        assertEquals("undef", render("{% if not nothing is defined %}undef{% else %}def{% endif %}"));
        assertEquals("yes", render("{% if not 1 == 2 %}yes{% endif %}"));
        assertEquals("|", render("{%- if not 'x' in 'xyz' -%}in{%- endif -%}|{% if 'x' not in 'xyz' %}not in{% endif %}"));
        assertEquals("none", render("{% set x = none %}{% if x is not none %}set{% else %}none{% endif %}"));
        assertEquals("", render("{% if not true and true %}wrong{% endif %}"), "and still binds looser than not");
        assertEquals("yes", render("{{ 'yes' if not messages[0].content.startswith('z') else 'no' }}"));
    }

    @Test
    void keywordArgumentsTakeWholeExpressions() {
        assertEquals("2", render("{%- set ns = namespace(flag=true, last=messages|length - 1) %}{{ ns.last }}"));
        assertEquals("3|t", render("{%- set ns = namespace(n=messages|length, f=not false) %}{{ ns.n }}|{{ 't' if ns.f }}"));
    }

    @Test
    void globalFunctionsAreDefinedAndCallable() {
        String year = String.valueOf(java.time.LocalDate.now().getYear());
        assertEquals(year, render("{% if strftime_now is defined %}{{ strftime_now('%Y') }}{% else %}undefined{% endif %}"));
        assertEquals("yes", render("{% if raise_exception is defined %}yes{% endif %}"));
    }

    @Test
    void selfCheckReportsBrokenTemplatesNotRefusals() {
        assertEquals(java.util.Optional.empty(), ChatTemplate.of("{{ messages[0].content }}", null, null).selfCheck());
        assertEquals(java.util.Optional.empty(), ChatTemplate.of("{{ raise_exception('System role not supported') }}", null, null)
                .selfCheck(), "a template refusing a conversation is not broken");
        org.junit.jupiter.api.Assertions.assertTrue(ChatTemplate.of("{% include 'other.jinja' %}", null, null).selfCheck().isPresent());
        org.junit.jupiter.api.Assertions.assertTrue(ChatTemplate.plain(null, null).selfCheck().orElseThrow().contains("no chat template"));
    }

    @Test
    void listsPrintAsPythonPrintsThem() {
        assertEquals("['a', 'b', 'c']", render("{{ messages | map(attribute='content') | list }}"));
    }

    @Test
    void reversedSlicesIterateBackwards() {
        assertEquals("cba", render("{% for m in messages[::-1] %}{{ m.content }}{% endfor %}"));
        assertEquals("c", render("{{ (messages[::-1])[0].content }}"));
        assertEquals("bc", render("{% for m in messages[1:] %}{{ m.content }}{% endfor %}"), "plain slices untouched");
    }

    @Test
    void textCommentsStringsAndRawBlocksAreLeftAlone() {
        assertEquals("not x is defined", render("not x is defined"));
        assertEquals("[::-1] a=b|c", render("{# not a is b #}{{ '[::-1] a=b|c' }}"));
        assertEquals("{{ not x is defined }}", render("{% raw %}{{ not x is defined }}{% endraw %}"));
    }
}

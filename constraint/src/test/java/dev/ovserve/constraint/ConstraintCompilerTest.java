package dev.ovserve.constraint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.constraint.grammar.Grammar;
import dev.ovserve.constraint.grammar.GrammarState;
import dev.ovserve.constraint.text.GbnfParser;
import dev.ovserve.scheduler.sampling.ConstraintState;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The public entry point: each constraint kind, its errors, caching, EOS and special tokens. */
class ConstraintCompilerTest {
    private static final String ARITHMETIC = """
            # llama.cpp-style arithmetic, multi-line rules and comments
            root   ::= expr
            expr   ::= term (("+" | "-") term)*
            term   ::= factor (("*" | "/") factor)*
            factor ::= number | "(" expr ")"
            number ::= "-"? [0-9]+ ("." [0-9]{1,3})?
            """;

    private final Vocabulary gpt2 = Vocabs.gpt2();
    private final ConstraintCompiler compiler = new ConstraintCompiler(gpt2);
    private final Tokenize tok = new Tokenize(gpt2);

    @Test
    void gbnfStringsAreAcceptedTokenByTokenAndBrokenOnesMasked() {
        TokenConstraint c = compiler.grammar(ARITHMETIC);
        Grammar g = GbnfParser.parse(ARITHMETIC);
        SplittableRandom r = new SplittableRandom(7);
        int checked = 0;
        for (int i = 0; i < 150; i++) {
            byte[] text = new GrammarSampler(g, r).sample(2000);
            if (text == null) {
                continue;
            }
            int[] tokens = tok.split(text, i % 2 == 0 ? null : r);
            assertEquals(tokens.length, JsonSchemaPropertyTest.walk(c, gpt2, tokens, true, new String(text, StandardCharsets.UTF_8)));
            checked++;
        }
        assertTrue(checked > 20, "too few sampled strings: " + checked);
        for (String bad : List.of("1+", "(1", "1..2", "a", "1+*2", "1)")) {
            int[] tokens = tok.split(bad.getBytes(StandardCharsets.UTF_8), null);
            assertTrue(JsonSchemaPropertyTest.walk(c, gpt2, tokens, false, bad) >= 0, bad + " must be refused");
        }
    }

    @Test
    void gbnfErrorsAreNamed() {
        UnsupportedConstraintException left = assertThrows(UnsupportedConstraintException.class,
                () -> compiler.grammar("root ::= root \"a\" | \"b\""));
        assertEquals("left recursion", left.keyword());
        assertEquals("grammar", assertThrows(InvalidConstraintException.class, () -> compiler.grammar("root ::= missing")).param());
        assertEquals("grammar", assertThrows(InvalidConstraintException.class, () -> compiler.grammar("expr ::= \"a\"")).param());
        assertEquals("grammar", assertThrows(InvalidConstraintException.class, () -> compiler.grammar("root ::= \"a")).param());
    }

    @Test
    void choiceAllowsExactlyTheChoicesAndEndsWhereOneEnds() {
        TokenConstraint c = compiler.choice(List.of("yes", "no", "yes please"));
        ConstraintState s = c.start();
        long[] mask = Tokenize.newMask(gpt2);
        s.fillAllowed(mask);
        assertFalse(Tokenize.allowed(mask, 50256), "EOS before any choice");
        assertTrue(s.advance(tok.split("yes".getBytes(StandardCharsets.UTF_8), null)[0]));
        assertTrue(s.canFinish());
        assertFalse(s.isComplete(), "'yes please' can still follow");
        ConstraintState fork = s.copy();
        assertTrue(fork.advance(tok.split(" please".getBytes(StandardCharsets.UTF_8), null)[0]));
        assertTrue(fork.isComplete());
        assertTrue(s.canFinish(), "the copy moved on alone");
        s.fillAllowed(mask);
        assertTrue(Tokenize.allowed(mask, 50256));
        assertTrue(s.advance(50256));
        assertTrue(s.isComplete());
        assertThrows(InvalidConstraintException.class, () -> compiler.choice(List.of()));
    }

    @Test
    void regexIsAnchoredAndErrorsNameTheRegex() {
        TokenConstraint c = compiler.regex("[0-9]{3}-[0-9]{4}");
        for (String ok : List.of("555-1234", "000-0000")) {
            assertEquals(-1 + 1 + tok.split(ok.getBytes(StandardCharsets.UTF_8), null).length,
                    JsonSchemaPropertyTest.walk(c, gpt2, tok.split(ok.getBytes(StandardCharsets.UTF_8), null), true, ok));
        }
        for (String bad : List.of("555-12345", "x555-1234", "55-1234")) {
            assertTrue(JsonSchemaPropertyTest.walk(c, gpt2, tok.split(bad.getBytes(StandardCharsets.UTF_8), null), false, bad) >= 0, bad);
        }
        assertEquals("regex", assertThrows(InvalidConstraintException.class, () -> compiler.regex("(ab")).param());
        assertEquals("regex", assertThrows(UnsupportedConstraintException.class, () -> compiler.regex("a(?=b)")).keyword());
    }

    @Test
    void schemaErrorsNameTheKeywordAndCompilesAreCached() {
        for (String kw : List.of("patternProperties", "not", "if", "minProperties", "uniqueItems", "contains")) {
            String value = switch (kw) {
                case "minProperties" -> "1";
                case "uniqueItems" -> "true";
                default -> "{}";
            };
            UnsupportedConstraintException e = assertThrows(UnsupportedConstraintException.class,
                    () -> compiler.jsonSchema("{\"type\":\"object\",\"" + kw + "\":" + value + "}"));
            assertEquals(kw, e.keyword());
            assertTrue(e.getMessage().contains(kw), e.getMessage());
        }
        assertEquals("format", assertThrows(UnsupportedConstraintException.class,
                () -> compiler.jsonSchema("{\"type\":\"string\",\"format\":\"ipv6\"}")).keyword());
        assertEquals("json_schema", assertThrows(InvalidConstraintException.class, () -> compiler.jsonSchema("{not json")).param());
        assertEquals("json_schema", assertThrows(InvalidConstraintException.class, () -> compiler.jsonSchema("{\"enum\":[]}")).param());
        assertEquals("json_schema", assertThrows(InvalidConstraintException.class,
                () -> compiler.jsonSchema("{\"$ref\":\"#/definitions/nope\"}")).param());
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";
        assertSame(compiler.jsonSchema(schema), compiler.jsonSchema(schema));
        assertNotNull(compiler.jsonObject());
        assertSame(compiler.jsonObject(), compiler.jsonObject());
    }

    @Test
    void jsonObjectAcceptsAnyCompactObjectOnly() {
        TokenConstraint c = compiler.jsonObject();
        for (String ok : List.of("{}", "{\"a\":[1,2.5e3,{\"b\":null}],\"c\":\"\\u00e9\\n\"}")) {
            int[] t = tok.split(ok.getBytes(StandardCharsets.UTF_8), null);
            assertEquals(t.length, JsonSchemaPropertyTest.walk(c, gpt2, t, true, ok));
        }
        for (String bad : List.of("[]", "{\"a\" :1}", "{\"a\":01}", "{\"a\":1,}", "\"x\"")) {
            int[] t = tok.split(bad.getBytes(StandardCharsets.UTF_8), null);
            assertTrue(JsonSchemaPropertyTest.walk(c, gpt2, t, false, bad) >= 0, bad);
        }
    }

    @Test
    void allOfWithOneReferenceIsThatReferenceAndImpossibleRequirementsAreInvalid() {
        TokenConstraint c = compiler.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"allOf\":[{\"$ref\":\"#/$defs/x\"}],"
                + "\"description\":\"d\"}},\"required\":[\"a\"],\"$defs\":{\"x\":{\"type\":\"integer\",\"minimum\":3,\"maximum\":5}}}");
        int[] ok = tok.split("{\"a\":4}".getBytes(StandardCharsets.UTF_8), null);
        assertEquals(ok.length, JsonSchemaPropertyTest.walk(c, gpt2, ok, true, "a=4"));
        int[] bad = tok.split("{\"a\":7}".getBytes(StandardCharsets.UTF_8), null);
        assertTrue(JsonSchemaPropertyTest.walk(c, gpt2, bad, false, "a=7") >= 0);
        assertEquals("json_schema", assertThrows(InvalidConstraintException.class, () -> compiler.jsonSchema(
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"],\"additionalProperties\":false}")).param());
    }

    @Test
    void forcedBytesAreWhatEveryContinuationStartsWith() {
        GrammarState s = (GrammarState) compiler.jsonSchema(
                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"n\":{\"enum\":[1,2]}},\"required\":[\"name\",\"n\"]}").start();
        assertEquals("{\"name\":\"", new String(s.forcedBytes(), StandardCharsets.UTF_8));
        assertTrue(s.advanceBytes("{\"name\":\"x\"".getBytes(StandardCharsets.UTF_8)));
        assertEquals(",\"n\":", new String(s.forcedBytes(), StandardCharsets.UTF_8));
        assertTrue(s.advanceBytes(",\"n\":".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", new String(s.forcedBytes(), StandardCharsets.UTF_8), "1 or 2: a choice");
        GrammarState c = (GrammarState) compiler.choice(List.of("hello world", "hello there")).start();
        assertEquals("hello ", new String(c.forcedBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void recursiveSchemaNestsToAnyDepth() {
        TokenConstraint c = compiler.jsonSchema("{\"$defs\":{\"n\":{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/n\"}}},"
                + "\"required\":[\"k\"]}},\"$ref\":\"#/$defs/n\"}");
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            deep.append("{\"k\":[");
        }
        deep.append("{\"k\":[]}");
        deep.append("]}".repeat(40));
        int[] t = tok.split(deep.toString().getBytes(StandardCharsets.UTF_8), null);
        assertEquals(t.length, JsonSchemaPropertyTest.walk(c, gpt2, t, true, "deep"));
    }
}

package dev.ovserve.constraint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.constraint.grammar.Grammar;
import dev.ovserve.constraint.text.JsonSchemaCompiler;
import dev.ovserve.scheduler.sampling.ConstraintState;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random schemas, random strings of their languages: every such string is schema-valid (by an
 * independent validator) and its tokens — under GPT-2's real vocabulary and a SentencePiece-style
 * one, split greedily and at random — are each allowed by the mask and accepted, with EOS allowed at
 * the end. Mutated strings that the validator rejects are refused, and the first refused token
 * is exactly the first one the mask forbids.
 */
class JsonSchemaPropertyTest {
    private static final int TRIES = Integer.getInteger("ovserve.property.tries", 40);

    @Test
    void validStringsAreAcceptedTokenByTokenAndInvalidOnesMaskedAtTheFirstBadToken() {
        check(Vocabs.gpt2(), 0);
        check(Vocabs.sentencePiece(), 1);
    }

    private void check(Vocabulary vocab, long salt) {
        ConstraintCompiler compiler = new ConstraintCompiler(vocab);
        Tokenize tok = new Tokenize(vocab);
        SplittableRandom seeds = new SplittableRandom(Long.getLong("ovserve.property.seed", 1515L) + salt);
        int accepted = 0;
        int rejected = 0;
        for (int t = 0; t < TRIES; t++) {
            long seed = seeds.nextLong();
            SplittableRandom r = new SplittableRandom(seed);
            String schemaText = RandomSchemas.schema(r);
            String where = "seed " + seed + " schema " + schemaText;
            TokenConstraint c = compiler.jsonSchema(schemaText);
            Grammar g = JsonSchemaCompiler.compile(schemaText);
            SchemaCheck judge = new SchemaCheck(readTree(schemaText));
            for (int k = 0; k < 4; k++) {
                byte[] text = new GrammarSampler(g, r).sample(400);
                if (text == null) {
                    continue;
                }
                String s = new String(text, StandardCharsets.UTF_8);
                assertNull(judge.problems(s), () -> where + " sampled invalid " + s);
                int[] tokens = tok.split(text, k % 2 == 0 ? null : r);
                assertEquals(tokens.length, walk(c, vocab, tokens, true, where + " text " + s));
                accepted++;
                String bad = mutate(s, r);
                if (judge.problems(bad) != null) {
                    int[] badTokens = tok.split(bad.getBytes(StandardCharsets.UTF_8), k % 2 == 0 ? null : r);
                    int stop = walk(c, vocab, badTokens, false, where + " mutated " + bad);
                    assertTrue(stop >= 0, () -> where + " accepted the invalid " + bad);
                    rejected++;
                }
            }
        }
        assertTrue(accepted > TRIES, "too few valid strings: " + accepted);
        assertTrue(rejected > TRIES / 2, "too few invalid strings: " + rejected);
    }

    /**
     * Feeds tokens; each must be allowed by the mask exactly when advance takes it. Returns the
     * number of tokens when all pass and EOS is allowed after them, else the index of the first
     * refused token (or -1 if every token passed and EOS is allowed: an accepted string).
     */
    static int walk(TokenConstraint c, Vocabulary vocab, int[] tokens, boolean expectValid, String where) {
        ConstraintState s = c.start();
        long[] mask = Tokenize.newMask(vocab);
        for (int i = 0; i < tokens.length; i++) {
            s.fillAllowed(mask);
            for (int special : vocab.specialTokenIds()) {
                if (!vocab.eosTokenIds().contains(special)) {
                    assertFalse(Tokenize.allowed(mask, special), "special token allowed");
                }
            }
            boolean allowed = Tokenize.allowed(mask, tokens[i]);
            boolean took = s.advance(tokens[i]);
            final int at = i;
            assertEquals(allowed, took, () -> where + ": mask and advance disagree at token " + at);
            if (!took) {
                if (expectValid) {
                    throw new AssertionError(where + ": valid text refused at token " + at + " " + Tokenize.show(vocab, tokens[at]));
                }
                return i;
            }
        }
        s.fillAllowed(mask);
        boolean eos = vocab.eosTokenIds().stream().allMatch(id -> Tokenize.allowed(mask, id));
        assertEquals(s.canFinish(), eos, where + ": EOS bit disagrees with canFinish");
        if (expectValid) {
            assertTrue(eos, () -> where + ": EOS not allowed at the end of valid text");
            return tokens.length;
        }
        return eos ? -1 : tokens.length;
    }

    private static String mutate(String s, SplittableRandom r) {
        int i = r.nextInt(s.length() + 1);
        String[] junk = {"\"", "}", ",", "x", " ", "-", "1", "é", "]", ":", "\\"};
        String j = junk[r.nextInt(junk.length)];
        return switch (r.nextInt(3)) {
            case 0 -> s.substring(0, i) + j + s.substring(i);
            case 1 -> i < s.length() ? s.substring(0, i) + s.substring(i + 1) : s + j;
            default -> i < s.length() ? s.substring(0, i) + j + s.substring(i + 1) : s + j;
        };
    }

    static com.fasterxml.jackson.databind.JsonNode readTree(String s) {
        try {
            return SchemaCheck.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

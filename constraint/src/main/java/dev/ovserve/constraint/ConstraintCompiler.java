package dev.ovserve.constraint;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ovserve.constraint.grammar.CompiledGrammar;
import dev.ovserve.constraint.grammar.Expr;
import dev.ovserve.constraint.grammar.Grammar;
import dev.ovserve.constraint.grammar.GrammarConstraint;
import dev.ovserve.constraint.grammar.TokenIndex;
import dev.ovserve.constraint.grammar.Utf8;
import dev.ovserve.constraint.text.GbnfParser;
import dev.ovserve.constraint.text.JsonSchemaCompiler;
import dev.ovserve.constraint.text.RegexParser;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Compiles constraints for one tokenizer. Build one per vocabulary and reuse it: the vocabulary
 * index is built once, compiled constraints are cached by their text (so their per-state token
 * classes, filled as decoding visits states, serve every later request with the same text).
 *
 * <p>Thread-safe. Errors: {@link UnsupportedConstraintException} names the unsupported keyword or
 * feature; {@link InvalidConstraintException} a malformed constraint or one that matches nothing.
 */
public final class ConstraintCompiler {
    private static final int CACHE_SIZE = 256;

    private final TokenIndex index;
    private final Cache<String, TokenConstraint> cache = Caffeine.newBuilder().maximumSize(CACHE_SIZE).build();

    public ConstraintCompiler(Vocabulary vocabulary) {
        this.index = new TokenIndex(vocabulary);
    }

    /** Output must be JSON valid against {@code schemaJson}, written compactly (no whitespace). */
    public TokenConstraint jsonSchema(String schemaJson) {
        return cached("json_schema", schemaJson, () -> JsonSchemaCompiler.compile(schemaJson));
    }

    /** Output must be one JSON object (any keys and values), written compactly. */
    public TokenConstraint jsonObject() {
        return cached("json_object", "", JsonSchemaCompiler::anyObject);
    }

    /** Output must match {@code pattern} entirely (ECMAScript syntax; anchors optional). */
    public TokenConstraint regex(String pattern) {
        return cached("regex", pattern, () -> new Grammar("root").define("root", RegexParser.parse(pattern, true, Utf8::encode, "regex")));
    }

    /** Output must be exactly one of {@code choices}. */
    public TokenConstraint choice(List<String> choices) {
        if (choices == null || choices.isEmpty()) {
            throw new InvalidConstraintException("choice", "the choice list must not be empty");
        }
        return cached("choice", String.join("\u0000", choices), () -> {
            List<Expr> alts = new ArrayList<>();
            for (String c : choices) {
                alts.add(Expr.literal(c));
            }
            return new Grammar("root").define("root", Expr.alt(alts));
        });
    }

    /** Output must derive from rule {@code root} of a llama.cpp GBNF grammar. */
    public TokenConstraint grammar(String gbnf) {
        return cached("grammar", gbnf, () -> GbnfParser.parse(gbnf));
    }

    private TokenConstraint cached(String kind, String text, Supplier<Grammar> grammar) {
        if (text == null) {
            throw new InvalidConstraintException(kind, kind + " must not be null");
        }
        return cache.get(kind + "\u0001" + text, k -> new GrammarConstraint(CompiledGrammar.compile(kind, grammar.get()), index));
    }
}

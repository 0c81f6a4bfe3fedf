package dev.ovserve.server.http;

import dev.ovserve.constraint.ConstraintCompiler;
import dev.ovserve.constraint.UnsupportedConstraintException;
import dev.ovserve.constraint.Vocabulary;
import dev.ovserve.server.api.ApiException;
import dev.ovserve.tokenizer.TokenBytes;
import java.util.Set;

/**
 * The served model's constraint compiler, built once at start from its token bytes (the engine
 * caches compiled constraints by their text). An unsupported schema keyword or grammar feature
 * is a 400 {@code unsupported_value} naming it; any other bad constraint a 400 {@code invalid_value}.
 */
final class Constraints {
    private Constraints() {}

    static StructuredOutput.Compiler compiler(TokenBytes tokens, Set<Integer> eosTokenIds) {
        ConstraintCompiler compiler = new ConstraintCompiler(new Vocabulary(tokens.bytes(), eosTokenIds, tokens.special()));
        return c -> {
            try {
                return switch (c.kind()) {
                    case JSON_SCHEMA -> compiler.jsonSchema(c.source());
                    case JSON_OBJECT -> compiler.jsonObject();
                    case REGEX -> compiler.regex(c.source());
                    case CHOICE -> compiler.choice(c.choices());
                    case GRAMMAR -> compiler.grammar(c.source());
                };
            } catch (UnsupportedConstraintException e) {
                throw ApiException.unsupportedValue(c.param(), "Unsupported value in '" + c.param() + "': '" + e.keyword()
                        + "' is not supported by this server (" + e.getMessage() + ").");
            }
        };
    }
}

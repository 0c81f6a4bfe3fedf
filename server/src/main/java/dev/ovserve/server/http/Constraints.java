package dev.ovserve.server.http;

import dev.ovserve.tokenizer.TokenBytes;
import java.util.Set;

/** Builds the served model's constraint compiler (one per model, at start) from its token bytes. */
final class Constraints {
    private Constraints() {}

    static StructuredOutput.Compiler compiler(TokenBytes tokens, Set<Integer> eosTokenIds) {
        // Placeholder until the constraint engine module is merged.
        return c -> {
            throw new IllegalArgumentException("structured output is not available in this build");
        };
    }
}

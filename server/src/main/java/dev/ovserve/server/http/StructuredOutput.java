package dev.ovserve.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import dev.ovserve.server.api.ApiException;
import dev.ovserve.server.api.OutputConstraint;
import dev.ovserve.server.tools.ToolCallFormat;
import java.util.List;

/**
 * The served model's structured output: compiles a request's {@link OutputConstraint} into the
 * engine's {@link TokenConstraint} (compiled once per distinct constraint text and kept in a
 * bounded cache, so repeated schemas cost nothing), and the model family's tool-call format.
 * Thread-safe.
 */
public final class StructuredOutput {
    /** Compiles one constraint; an IllegalArgumentException says what is wrong or unsupported (naming the keyword). */
    @FunctionalInterface
    public interface Compiler {
        TokenConstraint compile(OutputConstraint constraint);
    }

    private record Key(OutputConstraint.Kind kind, String source, List<String> choices) {}

    private final Compiler compiler;
    private final Cache<Key, TokenConstraint> compiled;
    private final ToolCallFormat toolFormat;

    public StructuredOutput(Compiler compiler, ToolCallFormat toolFormat) {
        this.compiler = compiler;
        this.toolFormat = toolFormat;
        this.compiled = Caffeine.newBuilder().maximumSize(256).build();
    }

    public ToolCallFormat toolFormat() {
        return toolFormat;
    }

    /** The compiled constraint; a 400 naming the request field (and the engine's reason) when it cannot be. */
    TokenConstraint compile(OutputConstraint c) {
        try {
            return compiled.get(new Key(c.kind(), c.source(), c.choices()), k -> compiler.compile(c));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidValue(c.param(), "Invalid value for '" + c.param() + "': " + e.getMessage());
        }
    }
}

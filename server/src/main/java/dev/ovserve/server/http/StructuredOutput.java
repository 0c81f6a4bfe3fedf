package dev.ovserve.server.http;

import dev.ovserve.scheduler.sampling.TokenConstraint;
import dev.ovserve.server.api.ApiException;
import dev.ovserve.server.api.OutputConstraint;
import dev.ovserve.server.tools.ToolCallFormat;

/**
 * The served model's structured output: compiles a request's {@link OutputConstraint} into the
 * engine's {@link TokenConstraint}, and knows the model family's tool-call format. Thread-safe.
 */
public final class StructuredOutput {
    /**
     * Compiles one constraint; an {@link ApiException} or an IllegalArgumentException says what is
     * wrong or unsupported.
     */
    @FunctionalInterface
    public interface Compiler {
        TokenConstraint compile(OutputConstraint constraint);
    }

    private final Compiler compiler;
    private final ToolCallFormat toolFormat;

    public StructuredOutput(Compiler compiler, ToolCallFormat toolFormat) {
        this.compiler = compiler;
        this.toolFormat = toolFormat;
    }

    public ToolCallFormat toolFormat() {
        return toolFormat;
    }

    /** The compiled constraint; a 400 naming the request field (and the engine's reason) when it cannot be. */
    TokenConstraint compile(OutputConstraint c) {
        try {
            return compiler.compile(c);
        } catch (ApiException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidValue(c.param(), "Invalid value for '" + c.param() + "': " + e.getMessage());
        }
    }
}

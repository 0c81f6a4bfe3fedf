package dev.ovserve.server.http;

import dev.ovserve.scheduler.sampling.TokenConstraint;
import dev.ovserve.server.api.ApiException;
import dev.ovserve.server.api.OutputConstraint;
import dev.ovserve.server.tools.ToolCallFormat;
import dev.ovserve.server.tools.ToolMode;
import java.util.Set;

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
    private final byte[][] tokenBytes;
    private final Set<Integer> markerIds;

    /**
     * @param tokenBytes each token id's bytes, to find a call marker spelled out in several tokens
     * @param markerIds the token ids that are the tool-call marker itself (e.g. Qwen's {@code <tool_call>})
     */
    public StructuredOutput(Compiler compiler, ToolCallFormat toolFormat, byte[][] tokenBytes, Set<Integer> markerIds) {
        this.compiler = compiler;
        this.toolFormat = toolFormat;
        this.tokenBytes = tokenBytes;
        this.markerIds = Set.copyOf(markerIds);
    }

    public ToolCallFormat toolFormat() {
        return toolFormat;
    }

    /**
     * For tool_choice "auto": free text until the model writes its call marker, then the call is
     * held to its schema. Null when the tools' schemas cannot be compiled (a keyword the engine
     * lacks): "auto" then parses calls from free text without that guarantee.
     */
    TokenConstraint autoCalls(ToolMode tools) {
        OutputConstraint call = tools.autoCallConstraint();
        if (call == null) {
            return null;
        }
        try {
            return tools.lazy(compile(call), markerIds, tokenBytes);
        } catch (ApiException cannotCompile) {
            return null;
        }
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

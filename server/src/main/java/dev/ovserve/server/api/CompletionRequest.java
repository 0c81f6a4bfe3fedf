package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.scheduler.sampling.SamplingParams;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A parsed and checked {@code POST /v1/completions} body.
 *
 * <p>Unknown top-level fields are accepted and ignored, as vLLM does: OpenAI's SDKs only send
 * fields they know, and refusing newer ones would break clients for nothing. Fields OpenAI defines
 * that change the result and are not implemented are refused instead of silently ignored:
 * {@code suffix}, {@code best_of} other than {@code n}, and {@code logprobs} together with
 * {@code echo} (the engine does not score prompt tokens).
 *
 * <p>Structured output ({@code response_format}, vLLM's and llama.cpp's fields, see
 * {@link StructuredOutputFields}) applies to every choice of every prompt.
 *
 * <p>With several prompts, choice {@code i} of prompt {@code p} has index {@code p * n + i}.
 *
 * @param model null when the client named none (the server then uses its only model)
 * @param maxTokens the client's max_tokens, null when not given (OpenAI's default then is 16)
 * @param includeUsage {@code stream_options.include_usage}: end the stream with a usage chunk
 */
public record CompletionRequest(
        String model,
        List<PromptInput> prompts,
        SamplingOptions sampling,
        Integer maxTokens,
        boolean stream,
        boolean includeUsage,
        boolean echo,
        String user,
        OutputConstraint constraint) {

    /** OpenAI's default max_tokens for completions. */
    public static final int DEFAULT_MAX_TOKENS = 16;

    public CompletionRequest {
        prompts = List.copyOf(prompts);
    }

    public static CompletionRequest parse(byte[] body) {
        return from(RequestJson.parse(body));
    }

    public static CompletionRequest parse(ByteBuffer body) {
        return from(RequestJson.parse(body));
    }

    public static CompletionRequest from(ObjectNode root) {
        Fields f = Fields.of(root);
        String model = f.string("model");
        List<PromptInput> prompts = Prompts.parse(f.get("prompt"));
        if (f.has("suffix")) {
            throw ApiException.unsupportedParameter("suffix", "suffix is not supported by this server.");
        }
        Integer maxTokens = f.integer("max_tokens");
        if (maxTokens != null && maxTokens < 1) {
            throw ApiException.invalidValue("max_tokens", "max_tokens must be at least 1, got " + maxTokens);
        }
        Integer logprobs = f.integer("logprobs");
        if (logprobs != null && (logprobs < 0 || logprobs > SamplingParams.MAX_LOGPROBS)) {
            throw ApiException.invalidValue("logprobs", "logprobs must be between 0 and " + SamplingParams.MAX_LOGPROBS
                    + ", got " + logprobs);
        }
        boolean echo = f.bool("echo", false);
        if (echo && logprobs != null) {
            throw ApiException.unsupportedValue("logprobs", "logprobs together with echo is not supported: this server "
                    + "does not compute log-probabilities of prompt tokens.");
        }
        SamplingOptions sampling = SamplingOptions.parse(f, logprobs);
        Integer bestOf = f.integer("best_of");
        if (bestOf != null && bestOf < sampling.n()) {
            throw ApiException.invalidValue("best_of", "best_of must be greater than or equal to n, got best_of "
                    + bestOf + " and n " + sampling.n());
        }
        if (bestOf != null && bestOf > sampling.n()) {
            throw ApiException.unsupportedValue("best_of", "best_of greater than n is not supported by this server.");
        }
        boolean stream = f.bool("stream", false);
        return new CompletionRequest(model, prompts, sampling, maxTokens, stream,
                StreamOptions.includeUsage(f, stream), echo, f.string("user"), StructuredOutputFields.parse(f));
    }

    public int n() {
        return sampling.n();
    }

    /** Top alternatives per token (0..20), or null when log-probabilities were not asked for. */
    public Integer logprobs() {
        return sampling.logprobs();
    }

    /** The engine's parameters, max_tokens as given or OpenAI's 16, ignoring the context limit. */
    public SamplingParams samplingParams() {
        return sampling.toSamplingParams(maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens);
    }

    /**
     * The engine's parameters for one tokenized prompt: a 400 when the prompt, or the prompt plus
     * an explicit max_tokens, exceeds {@code maxModelLen}; the default 16 is cut to fit.
     */
    public SamplingParams samplingParams(int promptTokens, int maxModelLen) {
        return sampling.toSamplingParams(
                ContextWindow.maxTokens(promptTokens, maxTokens, DEFAULT_MAX_TOKENS, maxModelLen, "prompt"));
    }
}

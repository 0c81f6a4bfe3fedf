package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.scheduler.sampling.SamplingParams;
import dev.ovserve.tokenizer.chat.ChatMessage;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A parsed and checked {@code POST /v1/chat/completions} body.
 *
 * <p>Unknown top-level fields are accepted and ignored, as vLLM does (OpenAI's SDKs send only
 * fields they know). Defined fields that would change the answer and are not implemented are
 * refused by name (e.g. the legacy {@code functions}/{@code function_call}).
 *
 * @param constraint the structured-output constraint ({@link StructuredOutputFields}), null for free text
 * @param tools the tools and how they may be called ({@link ToolRequest#NONE} without tools)
 * @param model null when the client named none (the server then uses its only model)
 * @param messages roles system/user/assistant ("developer" arrives as "system"), text content
 * @param maxTokens {@code max_completion_tokens}, else the deprecated {@code max_tokens}; null when
 *     neither is given, meaning "up to the context limit" (see {@link #samplingParams(int, int)})
 * @param logprobs whether to return the chosen tokens' log-probabilities
 * @param topLogprobs alternatives per token (0..20) when {@code logprobs}; null when not given
 */
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        SamplingOptions sampling,
        Integer maxTokens,
        boolean stream,
        boolean includeUsage,
        boolean logprobs,
        Integer topLogprobs,
        String user,
        OutputConstraint constraint,
        ToolRequest tools) {

    public ChatCompletionRequest {
        messages = List.copyOf(messages);
    }

    public static ChatCompletionRequest parse(byte[] body) {
        return from(RequestJson.parse(body));
    }

    public static ChatCompletionRequest parse(ByteBuffer body) {
        return from(RequestJson.parse(body));
    }

    public static ChatCompletionRequest from(ObjectNode root) {
        Fields f = Fields.of(root);
        String model = f.string("model");
        List<ChatMessage> messages = ChatMessages.parse(f);
        ToolRequest tools = ToolRequest.parse(f);
        OutputConstraint constraint = StructuredOutputFields.parse(f);
        if (constraint != null && tools.callsTools()) {
            throw ApiException.invalidRequest(constraint.param(), "'" + constraint.param() + "' cannot be used together with "
                    + "'tools' unless tool_choice is 'none'.");
        }
        Integer maxTokens = maxTokens(f, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = maxTokens(f, "max_tokens");
        }
        boolean logprobs = f.bool("logprobs", false);
        Integer topLogprobs = f.integer("top_logprobs");
        if (topLogprobs != null && (topLogprobs < 0 || topLogprobs > SamplingParams.MAX_LOGPROBS)) {
            throw ApiException.invalidValue("top_logprobs", "top_logprobs must be between 0 and "
                    + SamplingParams.MAX_LOGPROBS + ", got " + topLogprobs);
        }
        if (topLogprobs != null && topLogprobs > 0 && !logprobs) {
            throw ApiException.invalidRequest("top_logprobs", "top_logprobs requires logprobs to be true.");
        }
        var sampling = SamplingOptions.parse(f, logprobs ? (topLogprobs == null ? 0 : topLogprobs) : null);
        boolean stream = f.bool("stream", false);
        return new ChatCompletionRequest(model, messages, sampling, maxTokens, stream,
                StreamOptions.includeUsage(f, stream), logprobs, topLogprobs, f.string("user"), constraint, tools);
    }

    private static Integer maxTokens(Fields f, String name) {
        Integer v = f.integer(name);
        if (v != null && v < 1) {
            throw ApiException.invalidValue(name, name + " must be at least 1, got " + v);
        }
        return v;
    }

    public int n() {
        return sampling.n();
    }

    /** The engine's parameters with {@code maxTokens} generated tokens at most. */
    public SamplingParams samplingParams(int maxTokens) {
        return sampling.toSamplingParams(maxTokens);
    }

    /**
     * The engine's parameters once the rendered conversation is tokenized: without a max, all the
     * room {@code maxModelLen} leaves; a 400 when the prompt, or the prompt plus an explicit max,
     * does not fit.
     */
    public SamplingParams samplingParams(int promptTokens, int maxModelLen) {
        return sampling.toSamplingParams(
                ContextWindow.maxTokens(promptTokens, maxTokens, Integer.MAX_VALUE, maxModelLen, "messages"));
    }
}

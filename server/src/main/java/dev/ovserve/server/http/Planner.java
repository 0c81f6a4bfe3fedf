package dev.ovserve.server.http;

import dev.ovserve.scheduler.sampling.SamplingParams;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import dev.ovserve.server.api.OutputConstraint;
import dev.ovserve.server.tools.ToolMode;
import dev.ovserve.server.api.ApiException;
import dev.ovserve.server.api.ChatCompletionRequest;
import dev.ovserve.server.api.ChatCompletionWriter;
import dev.ovserve.server.api.CompletionRequest;
import dev.ovserve.server.api.CompletionWriter;
import dev.ovserve.server.api.PromptInput;
import dev.ovserve.tokenizer.chat.ChatTemplateException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Turns a request body into a {@link GenerationPlan}: parse, check the model, tokenize, fit the context. */
final class Planner {
    private Planner() {}

    static GenerationPlan plan(ApiContext context, boolean chat, byte[] body) {
        return chat ? chat(context, body) : completion(context, body);
    }

    private static GenerationPlan completion(ApiContext context, byte[] body) {
        CompletionRequest req = CompletionRequest.parse(body);
        checkModel(context, req.model());
        TokenConstraint constraint = compile(context, req.constraint());
        int maxModelLen = context.engine().config().maxModelLen();
        List<int[]> prompts = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        List<SamplingParams> params = new ArrayList<>();
        for (PromptInput p : req.prompts()) {
            int[] ids = switch (p) {
                case PromptInput.Text t -> tokenize(context, t.text(), true);
                case PromptInput.Tokens t -> t.ids();
            };
            if (ids.length == 0) {
                throw ApiException.invalidValue("prompt", "the prompt is empty");
            }
            prompts.add(ids);
            params.add(constrained(req.samplingParams(ids.length, maxModelLen), constraint));
            prefixes.add(!req.echo() ? "" : p instanceof PromptInput.Text t ? t.text() : context.tokenizer().decode(ids, true));
        }
        SamplingParams first = params.getFirst();
        return new GenerationPlan(prompts, prefixes, params, req.stream(), req.includeUsage(),
                new CompletionWire(CompletionWriter.create(context.servedModelName(), req.includeUsage()),
                        first.logprobsRequested(), tokenBytes(context)));
    }

    private static GenerationPlan chat(ApiContext context, byte[] body) {
        ChatCompletionRequest req = ChatCompletionRequest.parse(body);
        checkModel(context, req.model());
        ToolMode tools = ToolMode.of(req.tools(), context.structured().toolFormat());
        TokenConstraint constraint = tools == null ? compile(context, req.constraint())
                : tools.constraint() != null ? compile(context, tools.constraint()) : context.structured().autoCalls(tools);
        String rendered;
        try {
            rendered = context.chatTemplate().render(req.messages(), true, req.tools().templateTools());
        } catch (ChatTemplateException e) {
            throw ApiException.invalidValue("messages", "the chat template rejected the conversation: " + e.getMessage());
        }
        int[] ids = tokenize(context, rendered, false); // the template writes any BOS itself
        SamplingParams params = constrained(req.samplingParams(ids.length, context.engine().config().maxModelLen()), constraint);
        return new GenerationPlan(List.of(ids), List.of(""), List.of(params), req.stream(), req.includeUsage(),
                new ChatWire(ChatCompletionWriter.create(context.servedModelName(), req.includeUsage()), req.logprobs(),
                        tokenBytes(context), tools));
    }

    private static TokenConstraint compile(ApiContext context, OutputConstraint c) {
        return c == null ? null : context.structured().compile(c);
    }

    private static SamplingParams constrained(SamplingParams p, TokenConstraint c) {
        return c == null ? p : p.toBuilder().constraint(c).build();
    }

    private static int[] tokenize(ApiContext context, String text, boolean addSpecialTokens) {
        return context.promptCache().tokenize(context.servedModelName(), addSpecialTokens, text,
                t -> context.tokenizer().encode(t, addSpecialTokens));
    }

    private static void checkModel(ApiContext context, String model) {
        if (model != null && !model.equals(context.servedModelName())) {
            throw ApiException.modelNotFound(model);
        }
    }

    /** A token's own text as UTF-8 (a token holding part of a character shows as U+FFFD). */
    private static IntFunction<byte[]> tokenBytes(ApiContext context) {
        return id -> context.tokenizer().decode(new int[] {id}, false).getBytes(StandardCharsets.UTF_8);
    }
}

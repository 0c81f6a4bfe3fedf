package dev.ovserve.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovserve.server.api.CacheSalt;
import dev.ovserve.server.api.RequestJson;

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
        ObjectNode root = RequestJson.parse(body);
        CompletionRequest req = CompletionRequest.from(root);
        String salt = CacheSalt.from(root);
        checkModel(context, req.model());
        context.admission().checkShape(req.prompts().size(), req.sampling());
        long chars = req.prompts().stream().mapToLong(p -> p instanceof PromptInput.Text t ? t.text().length() : 0).sum();
        for (int i = 0; i < req.prompts().size(); i++) {
            if (req.prompts().get(i) instanceof PromptInput.Text t) {
                context.admission().checkPromptText(req.prompts().size() == 1 ? "prompt" : "prompt[" + i + "]", t.text().length(), chars);
            }
        }
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
                        first.logprobsRequested(), tokenBytes(context)), salt);
    }

    private static GenerationPlan chat(ApiContext context, byte[] body) {
        ObjectNode root = RequestJson.parse(body);
        ChatCompletionRequest req = ChatCompletionRequest.from(root);
        String salt = CacheSalt.from(root);
        checkModel(context, req.model());
        context.admission().checkShape(1, req.sampling());
        if (context.chatTemplate().isDefault()) {
            // As vLLM: guessing a format would make a base model answer a prompt it never saw in training.
            throw ApiException.invalidValue("messages", "this model has no chat template (no chat_template.jinja, "
                    + "chat_template.json or chat_template in tokenizer_config.json), so chat completions are not available;"
                    + " use /v1/completions");
        }
        ToolMode tools = ToolMode.of(req.tools(), context.structured().toolFormat());
        TokenConstraint constraint = tools == null ? compile(context, req.constraint())
                : tools.constraint() != null ? compile(context, tools.constraint()) : context.structured().autoCalls(tools);
        String rendered;
        try {
            rendered = context.chatTemplate().render(req.messages(), true, req.tools().templateTools());
        } catch (ChatTemplateException e) {
            if (!e.raisedByTemplate()) { // the template itself is broken: not the caller's fault
                throw ApiException.serverError("the model's chat template failed: " + e.getMessage());
            }
            throw ApiException.invalidValue("messages", "the chat template rejected the conversation: " + e.getMessage());
        }
        context.admission().checkPromptText("messages", rendered.length(), rendered.length());
        // The template writes any BOS itself; text the user typed never becomes a special token.
        // The prompt cache is keyed by text alone, so a conversation whose text holds special-token
        // text is encoded afresh: another conversation may render to the same string.
        List<String> contents = req.messages().stream().map(m -> m.content()).filter(c -> c != null).toList();
        int[] ids = contents.stream().anyMatch(context.tokenizer()::containsSpecialText)
                ? context.tokenizer().encodeChat(rendered, contents)
                : tokenize(context, rendered, false);
        SamplingParams params = constrained(req.samplingParams(ids.length, context.engine().config().maxModelLen()), constraint);
        return new GenerationPlan(List.of(ids), List.of(""), List.of(params), req.stream(), req.includeUsage(),
                new ChatWire(ChatCompletionWriter.create(context.servedModelName(), req.includeUsage()), req.logprobs(),
                        tokenBytes(context), tools), salt);
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
        return id -> context.tokenizer().tokenText(id).getBytes(StandardCharsets.UTF_8);
    }
}

package dev.ovserve.tokenizer.chat;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model's chat template: Jinja source rendered the way Hugging Face's
 * {@code apply_chat_template} does (Jinjava with {@code trim_blocks} and {@code lstrip_blocks}, the
 * variables {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token},
 * the function {@code raise_exception}). Immutable and thread-safe.
 *
 * <p>As in Hugging Face, the rendered text already holds whatever special tokens the template
 * writes (usually {@code bos_token}); encode it without adding special tokens again.
 */
public final class ChatTemplate {
    /**
     * Stands for "the model has no chat template" ({@link #isDefault()}): the server refuses chat
     * for such a model, as vLLM does. Its text, one line {@code role: content} per message then
     * {@code assistant:}, is also what ovserve's random test models ship as their own template.
     */
    public static final String DEFAULT_SOURCE = "{% for message in messages %}"
            + "{{ message['role'] + ': ' + message['content'] + '\\n' }}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}";

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final boolean isDefault;

    private ChatTemplate(String source, String bosToken, String eosToken, boolean isDefault) {
        this.source = normalizeNewlines(source);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.isDefault = isDefault;
        TemplateEngine.SHARED.compile(this.source);
    }

    /**
     * A template from its Jinja source; {@code bosToken}/{@code eosToken} may be null (then the
     * variables are undefined, as in Hugging Face). Throws {@link ChatTemplateException} if the
     * source does not parse.
     */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        return new ChatTemplate(Objects.requireNonNull(source, "source"), bosToken, eosToken, false);
    }

    /** The plain {@link #DEFAULT_SOURCE} template. */
    public static ChatTemplate plain(String bosToken, String eosToken) {
        return new ChatTemplate(DEFAULT_SOURCE, bosToken, eosToken, true);
    }

    /**
     * The chat template of the model in {@code modelDir}, looked up where Hugging Face looks:
     * {@code chat_template.jinja}, then {@code chat_template.json}, then {@code tokenizer_config.json}'s
     * {@code chat_template} (a string, or a list of named templates of which "default" is taken);
     * the {@link #plain} template when there is none. BOS/EOS come from tokenizer_config.json.
     */
    public static ChatTemplate load(Path modelDir) throws IOException {
        var found = ChatTemplateFiles.read(modelDir);
        return found.source() == null
                ? plain(found.bosToken(), found.eosToken())
                : of(found.source(), found.bosToken(), found.eosToken());
    }

    /** Renders the conversation followed by the assistant's generation prompt. */
    public String render(List<ChatMessage> messages) {
        return render(messages, true);
    }

    /**
     * Renders {@code messages}. Throws {@link ChatTemplateException}: with
     * {@link ChatTemplateException#raisedByTemplate()} when the template rejected the conversation.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, null, addGenerationPrompt, Map.of());
    }

    /**
     * Renders {@code messages} with {@code tools} (each {@code {"type": "function", "function":
     * {...}}}, as transformers passes them; null for none, leaving the variable undefined).
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
        return render(messages, tools, addGenerationPrompt, Map.of());
    }

    /**
     * Renders {@code messages} as transformers' {@code apply_chat_template(messages, tools=tools,
     * add_generation_prompt=..., **kwargs)} does: {@code tools} (JSON-shaped maps and lists, or
     * null for none) is the template's {@code tools} variable; {@code kwargs} are further template
     * variables (vLLM's {@code chat_template_kwargs}, e.g. Qwen3's {@code enable_thinking}).
     */
    public String render(List<ChatMessage> messages, List<?> tools, boolean addGenerationPrompt, Map<String, ?> kwargs) {
        var list = new ArrayList<Map<String, Object>>(messages.size());
        for (ChatMessage m : messages) {
            list.add(m.toTemplateMap());
        }
        var bindings = new HashMap<String, Object>(kwargs);
        // Jinjava's functions are not variables; templates test "strftime_now is defined" (Llama 3.2).
        bindings.putIfAbsent("strftime_now", "strftime_now");
        bindings.putIfAbsent("raise_exception", "raise_exception");
        bindings.put("messages", list);
        if (tools != null) {
            bindings.put("tools", tools);
        }
        bindings.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) {
            bindings.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            bindings.put("eos_token", eosToken);
        }
        return TemplateEngine.SHARED.render(source, bindings);
    }

    /**
     * Renders a one-user-message conversation, as a start-up check: a template that cannot render
     * that (rather than refusing it with {@code raise_exception}) is broken, and is reported when
     * the server starts instead of failing every chat request. Empty when it renders.
     */
    public Optional<String> selfCheck() {
        if (isDefault) {
            return Optional.of("the model has no chat template; chat completions will be refused");
        }
        try {
            render(List.of(new ChatMessage("user", "Hello")), true);
            return Optional.empty();
        } catch (ChatTemplateException e) {
            return e.raisedByTemplate() ? Optional.empty() : Optional.of(e.getMessage());
        }
    }

    /** The Jinja source, newlines normalized to {@code \n} and one trailing newline removed (as Jinja2 does). */
    public String source() {
        return source;
    }

    /** Whether this is the {@link #plain} fallback, not the model's own template. */
    public boolean isDefault() {
        return isDefault;
    }

    public Optional<String> bosToken() {
        return Optional.ofNullable(bosToken);
    }

    public Optional<String> eosToken() {
        return Optional.ofNullable(eosToken);
    }

    /** Hits and misses of the process-wide cache of parsed templates, for metrics. */
    public static CacheStats cacheStats() {
        return TemplateEngine.SHARED.stats();
    }

    /** Jinja2's lexer turns every line ending into {@code \n} and drops one trailing newline. */
    static String normalizeNewlines(String source) {
        String s = source.indexOf('\r') >= 0 ? source.replace("\r\n", "\n").replace('\r', '\n') : source;
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return isDefault ? "ChatTemplate[plain]" : "ChatTemplate[" + source.length() + " chars]";
    }
}

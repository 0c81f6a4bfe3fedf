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
     * Used when a model has no chat template: one line {@code role: content} per message, then,
     * with a generation prompt, {@code assistant:} with no trailing space (the model's first token
     * usually brings its own leading space). Example: {@code "system: Be brief.\nuser: Hi\nassistant:"}.
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
        return render(messages, addGenerationPrompt, null);
    }

    /**
     * Renders {@code messages} with {@code tools} (each {@code {"type": "function", "function":
     * {...}}}, as transformers passes them; null for none, leaving the variable undefined).
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
        var list = new ArrayList<Map<String, Object>>(messages.size());
        for (ChatMessage m : messages) {
            list.add(m.toTemplateMap());
        }
        var bindings = new HashMap<String, Object>();
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

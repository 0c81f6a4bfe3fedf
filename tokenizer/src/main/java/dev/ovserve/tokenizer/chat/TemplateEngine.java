package dev.ovserve.tokenizer.chat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * One Jinjava set up as Hugging Face's chat-template environment ({@code trim_blocks},
 * {@code lstrip_blocks}, {@code raise_exception}, {@code strftime_now}, Python string methods and
 * filters, no file access), plus a bounded cache of parsed templates keyed by their source.
 * Thread-safe: a parsed tree is read-only and every render gets its own interpreter and context.
 */
final class TemplateEngine {
    /**
     * Jinjava's switches toward Jinja2's own behaviour: {@code {{-}}/{@code -}}} trim like the tag
     * forms, {@code -} is whitespace control only where Jinja2 reads it so, operators bind as in
     * Python, Python string escapes, dict literal keys are expressions, and iterating a dict yields
     * its keys. Without them Llama 3, Qwen and Mistral templates render with stray whitespace.
     */
    static final LegacyOverrides JINJA2_SEMANTICS = LegacyOverrides.newBuilder()
            .withUseTrimmingForNotesAndExpressions(true)
            .withParseWhitespaceControlStrictly(true)
            .withUseNaturalOperatorPrecedence(true)
            .withHandleBackslashInQuotesOnly(true)
            .withEvaluateMapKeys(true)
            .withIterateOverMapKeys(true)
            .withKeepNullableLoopValues(true)
            .withAllowAdjacentTextNodes(true)
            .withUsePyishObjectMapper(true)
            .build();
    static final TemplateEngine SHARED = new TemplateEngine(64);

    private final Jinjava jinjava;
    private final JinjavaConfig config;
    private final Cache<String, Node> compiled;

    TemplateEngine(long maxTemplates) {
        var resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withLegacyOverrides(JINJA2_SEMANTICS)
                .build();
        jinjava = new Jinjava(config);
        // Templates come with model files: give them no way to read anything else.
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new IOException("chat templates cannot include other files (" + name + ")");
        });
        var globals = jinjava.getGlobalContext();
        globals.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class,
                "raiseException", Object.class));
        globals.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class,
                "strftimeNow", String.class));
        PythonFilters.all().forEach(globals::registerFilter);
        globals.registerTag(new GenerationTag());
        compiled = Caffeine.newBuilder().maximumSize(maxTemplates).recordStats().build();
    }

    /** Parses {@code source} now (or finds it parsed); a template that does not parse throws. */
    void compile(String source) {
        compiled.get(source, this::parse);
    }

    String render(String source, Map<String, Object> bindings) {
        Node root = compiled.get(source, this::parse);
        var context = new Context(jinjava.getGlobalContextCopy(), bindings, config.getDisabled());
        var interpreter = new JinjavaInterpreter(jinjava, context, config);
        String output;
        try (var current = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
            output = interpreter.render(root);
        } catch (RuntimeException e) {
            // Most failures are recorded as errors, but some (include, deep recursion) are thrown.
            throw asTemplateException(e);
        }
        throwIfFatal(interpreter.getErrorsCopy(), "chat template failed: ");
        return output;
    }

    CacheStats stats() {
        return compiled.stats();
    }

    private Node parse(String source) {
        JinjavaInterpreter interpreter = jinjava.newInterpreter();
        try (var current = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
            Node root = interpreter.parse(Jinja2Syntax.rewrite(source));
            throwIfFatal(interpreter.getErrorsCopy(), "chat template does not parse: ");
            return root;
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChatTemplateException("chat template does not parse: " + e.getMessage(), false);
        }
    }

    private static ChatTemplateException asTemplateException(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TemplateFunctions.RaisedException raised) {
                return new ChatTemplateException(raised.getMessage(), true);
            }
        }
        return new ChatTemplateException("chat template failed: " + e.getMessage(), false);
    }

    /** Jinjava records errors and renders on; a template's raise_exception wins over any other error. */
    private static void throwIfFatal(List<TemplateError> errors, String prefix) {
        TemplateError firstFatal = null;
        for (TemplateError error : errors) {
            if (error.getSeverity() != TemplateError.ErrorType.FATAL) {
                continue;
            }
            for (Throwable t = error.getException(); t != null; t = t.getCause()) {
                if (t instanceof TemplateFunctions.RaisedException raised) {
                    throw new ChatTemplateException(raised.getMessage(), true);
                }
            }
            if (firstFatal == null) {
                firstFatal = error;
            }
        }
        if (firstFatal != null) {
            throw new ChatTemplateException(prefix + firstFatal.getMessage()
                    + (firstFatal.getLineno() > 0 ? " (line " + firstFatal.getLineno() + ")" : ""), false);
        }
    }
}

package dev.ovserve.server.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.util.Objects;
import java.util.function.Function;

/**
 * Tokenized prompts by exact text, in front of the tokenizer: clients resend the same prompts
 * (benchmarks, retries, few-shot templates, fixed system prompts rendered alone) and tokenizing
 * long text costs far more than a lookup. Bounded by the total number of cached tokens (Caffeine's
 * size-weighted W-TinyLFU eviction), so one huge prompt cannot pin memory; statistics are recorded
 * for the metrics endpoint. Thread-safe.
 *
 * <p>Cached arrays never leave this class: every hit returns a copy, so a caller may change what
 * it gets.
 */
public final class PromptTokenCache {
    /** Default bound: one million tokens, a few MB of ids (plus the texts that key them). */
    public static final long DEFAULT_MAX_TOKENS = 1_000_000;

    /**
     * @param model the served model (tokenizers differ)
     * @param addSpecialTokens whether the tokenizer added BOS/EOS-style tokens (completions do,
     *     rendered chat templates already hold them)
     */
    private record Key(String model, boolean addSpecialTokens, String text) {}

    private final Cache<Key, int[]> cache;

    public PromptTokenCache() {
        this(DEFAULT_MAX_TOKENS);
    }

    public PromptTokenCache(long maxTokens) {
        cache = Caffeine.newBuilder()
                .maximumWeight(maxTokens)
                .weigher((Key key, int[] ids) -> Math.max(1, ids.length))
                .recordStats()
                .build();
    }

    /**
     * The ids of {@code text}, from the cache or from {@code tokenizer}; always an array the caller
     * owns. Concurrent misses on the same text may each tokenize; that is cheaper than making one
     * wait on another's lock (Caffeine's compute would hold a map bin during tokenizing).
     */
    public int[] tokenize(String model, boolean addSpecialTokens, String text, Function<String, int[]> tokenizer) {
        var key = new Key(Objects.requireNonNull(model, "model"), addSpecialTokens, Objects.requireNonNull(text, "text"));
        int[] cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached.clone();
        }
        int[] ids = Objects.requireNonNull(tokenizer.apply(text), "tokenizer returned null");
        cache.put(key, ids.clone());
        return ids;
    }

    /** Hits, misses, evictions since start: the source of the hit-rate metric. */
    public CacheStats stats() {
        return cache.stats();
    }

    public double hitRate() {
        return cache.stats().hitRate();
    }

    /** Cached prompts (approximate, as Caffeine counts). */
    public long entries() {
        return cache.estimatedSize();
    }

    /** Tokens held now, at most the bound given at construction. */
    public long cachedTokens() {
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    /** Runs pending evictions now (Caffeine defers them); for tests and exact gauges. */
    public void cleanUp() {
        cache.cleanUp();
    }
}

package dev.ovserve.server.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PromptTokenCacheTest {
    private final AtomicInteger calls = new AtomicInteger();

    /** One "token" per character, counting calls. */
    private final Function<String, int[]> tokenizer = text -> {
        calls.incrementAndGet();
        return text.chars().toArray();
    };

    @Test
    void secondLookupIsAHit() {
        var cache = new PromptTokenCache();
        assertArrayEquals(new int[] {'a', 'b'}, cache.tokenize("m", true, "ab", tokenizer));
        assertArrayEquals(new int[] {'a', 'b'}, cache.tokenize("m", true, "ab", tokenizer));
        assertEquals(1, calls.get());
        assertEquals(1, cache.stats().hitCount());
        assertEquals(1, cache.stats().missCount());
        assertEquals(0.5, cache.hitRate());
    }

    @Test
    void modelAndSpecialTokenModeArePartOfTheKey() {
        var cache = new PromptTokenCache();
        cache.tokenize("m", true, "ab", tokenizer);
        cache.tokenize("other", true, "ab", tokenizer);
        cache.tokenize("m", false, "ab", tokenizer);
        assertEquals(3, calls.get());
        assertEquals(0, cache.stats().hitCount());
    }

    @Test
    void callersCannotCorruptTheCache() {
        var cache = new PromptTokenCache();
        int[] first = cache.tokenize("m", true, "xyz", tokenizer);
        first[0] = -1;
        int[] second = cache.tokenize("m", true, "xyz", tokenizer);
        second[1] = -1;
        assertArrayEquals(new int[] {'x', 'y', 'z'}, cache.tokenize("m", true, "xyz", tokenizer));
    }

    @Test
    void boundedByTotalTokens() {
        var cache = new PromptTokenCache(100);
        for (int i = 0; i < 50; i++) {
            cache.tokenize("m", true, "prompt number " + i, tokenizer); // 15-16 tokens each
        }
        cache.cleanUp();
        assertTrue(cache.cachedTokens() <= 100, "held " + cache.cachedTokens());
        assertTrue(cache.entries() <= 7, "entries " + cache.entries());
        assertTrue(cache.stats().evictionCount() > 0);
    }
}

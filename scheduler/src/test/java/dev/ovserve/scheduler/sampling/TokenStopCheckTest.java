package dev.ovserve.scheduler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenStopCheckTest {
    private static final Set<Integer> EOS = Set.of(50256);
    private static final SamplingParams P = SamplingParams.builder().maxTokens(10).stopTokenIds(Set.of(7)).build();
    private static final int MAX_MODEL_LEN = 100;

    @Test
    void eosAndStopTokenIdsStop() {
        assertEquals(FinishReason.STOP, TokenStopCheck.check(50256, 3, 20, P, EOS, MAX_MODEL_LEN));
        assertEquals(FinishReason.STOP, TokenStopCheck.check(7, 3, 20, P, EOS, MAX_MODEL_LEN));
        assertNull(TokenStopCheck.check(8, 3, 20, P, EOS, MAX_MODEL_LEN));
        assertTrue(TokenStopCheck.isStopToken(50256, P, EOS));
        assertTrue(TokenStopCheck.isStopToken(7, P, EOS));
        assertFalse(TokenStopCheck.isStopToken(8, P, EOS));
    }

    @Test
    void ignoreEosMakesEosAnOrdinaryTokenButKeepsStopTokenIds() {
        SamplingParams p = P.toBuilder().ignoreEos(true).build();
        assertNull(TokenStopCheck.check(50256, 3, 20, p, EOS, MAX_MODEL_LEN));
        assertFalse(TokenStopCheck.isStopToken(50256, p, EOS));
        assertEquals(FinishReason.STOP, TokenStopCheck.check(7, 3, 20, p, EOS, MAX_MODEL_LEN));
    }

    @Test
    void lengthLimits() {
        assertEquals(FinishReason.LENGTH, TokenStopCheck.check(8, 10, 20, P, EOS, MAX_MODEL_LEN), "max_tokens");
        assertNull(TokenStopCheck.check(8, 9, 99, P, EOS, MAX_MODEL_LEN));
        assertEquals(FinishReason.LENGTH, TokenStopCheck.check(8, 5, 100, P, EOS, MAX_MODEL_LEN), "context full");
    }

    @Test
    void aStopTokenAtTheLengthLimitReportsStop() {
        assertEquals(FinishReason.STOP, TokenStopCheck.check(50256, 10, 100, P, EOS, MAX_MODEL_LEN));
        assertEquals(FinishReason.STOP, TokenStopCheck.check(7, 10, 100, P, EOS, MAX_MODEL_LEN));
    }

    @Test
    void wireNamesAreOpenAis() {
        assertEquals("stop", FinishReason.STOP.wireName());
        assertEquals("length", FinishReason.LENGTH.wireName());
        assertEquals("abort", FinishReason.ABORT.wireName());
        assertEquals("error", FinishReason.ERROR.wireName());
    }
}

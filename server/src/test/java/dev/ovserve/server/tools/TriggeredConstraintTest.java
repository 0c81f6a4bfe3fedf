package dev.ovserve.server.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.sampling.ConstraintState;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Free until the marker, held to the call after it, free (or complete) again once the call is done. */
class TriggeredConstraintTest {
    /** Tokens 0..9 spell "<", "t", ">", "x", "{", "}", "a", "b", "c", "d"; token 10 is the marker as one token. */
    static final byte[][] BYTES = {b("<"), b("t"), b(">"), b("x"), b("{"), b("}"), b("a"), b("b"), b("c"), b("d"), b("<t>")};

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The "call": exactly the tokens {, a, } (then complete). */
    static final TokenConstraint CALL = new TokenConstraint() {
        @Override
        public ConstraintState start() {
            return new Seq(new int[] {4, 6, 5}, 0);
        }

        @Override
        public String kind() {
            return "test";
        }
    };

    record Seq(int[] want, int[] at) implements ConstraintState {
        Seq(int[] want, int at) {
            this(want, new int[] {at});
        }

        @Override
        public void fillAllowed(long[] allowed) {
            java.util.Arrays.fill(allowed, 0);
            if (at[0] < want.length) {
                allowed[0] |= 1L << want[at[0]];
            }
        }

        @Override
        public boolean advance(int token) {
            if (at[0] < want.length && want[at[0]] == token) {
                at[0]++;
                return true;
            }
            return false;
        }

        @Override
        public boolean canFinish() {
            return at[0] == want.length;
        }

        @Override
        public boolean isComplete() {
            return canFinish();
        }

        @Override
        public ConstraintState copy() {
            return new Seq(want, at[0]);
        }
    }

    static long allowed(ConstraintState s) {
        long[] mask = new long[1];
        s.fillAllowed(mask);
        return mask[0];
    }

    @Test
    void spelledMarkerThenTheCallThenDone() {
        ConstraintState s = new TriggeredConstraint(CALL, Set.of(10), b("<t>"), BYTES, false).start();
        assertEquals(-1L, allowed(s), "free: everything");
        for (int t : new int[] {3, 0, 1}) {
            assertTrue(s.advance(t));
            assertEquals(-1L, allowed(s));
        }
        ConstraintState before = s.copy();
        assertTrue(s.advance(2)); // "<t>" is now spelled out, ending on this token
        assertEquals(1L << 4, allowed(s), "held to the call");
        assertFalse(s.advance(7), "a token the call refuses");
        assertTrue(s.advance(4) && s.advance(6));
        assertFalse(s.isComplete());
        assertEquals(-1L, allowed(before), "a copy taken before the marker stays free");
        assertTrue(s.advance(5));
        assertTrue(s.isComplete(), "one call without parallel calls: done");
    }

    @Test
    void markerTokenAndParallelCalls() {
        ConstraintState s = new TriggeredConstraint(CALL, Set.of(10), b("<t>"), BYTES, true).start();
        for (int round = 0; round < 2; round++) {
            assertTrue(s.advance(10));
            assertEquals(1L << 4, allowed(s));
            assertFalse(s.canFinish(), "no EOS inside a call");
            assertTrue(s.advance(4) && s.advance(6) && s.advance(5));
            assertFalse(s.isComplete(), "parallel: free again for the next call");
            assertTrue(s.canFinish());
            assertEquals(-1L, allowed(s));
        }
        assertTrue(s.advance(0) && s.advance(8) && s.advance(2), "'<' 'c' '>' is not the marker");
        assertEquals(-1L, allowed(s));
    }
}

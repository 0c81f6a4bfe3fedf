package dev.ovserve.server.tools;

import dev.ovserve.scheduler.sampling.ConstraintState;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.util.Arrays;
import java.util.Set;

/**
 * A lazy constraint for {@code tool_choice: "auto"} (as llama.cpp's lazy grammars): the model
 * writes freely until it writes its family's call marker (e.g. {@code <tool_call>}), as one
 * token or spelled out in bytes ending on a token boundary; from there the call itself is
 * constrained (to the family's call JSON with each function's schema). When the call is
 * complete, decoding is free again for further calls, or, without parallel calls, the output
 * is complete. A model that never calls is never constrained.
 */
final class TriggeredConstraint implements TokenConstraint {
    private final TokenConstraint call;
    private final Set<Integer> triggerIds;
    private final byte[] trigger;
    private final byte[][] tokenBytes;
    private final boolean parallel;

    TriggeredConstraint(TokenConstraint call, Set<Integer> triggerIds, byte[] trigger, byte[][] tokenBytes, boolean parallel) {
        this.call = call;
        this.triggerIds = Set.copyOf(triggerIds);
        this.trigger = trigger.clone();
        this.tokenBytes = tokenBytes;
        this.parallel = parallel;
    }

    @Override
    public ConstraintState start() {
        return new State(null, new byte[trigger.length], 0, false);
    }

    @Override
    public String kind() {
        return "tool_call(" + call.kind() + ")";
    }

    private final class State implements ConstraintState {
        /** Null while free. */
        private ConstraintState inCall;
        /** The last bytes written while free, to find a spelled-out marker. */
        private final byte[] tail;
        private int tailLength;
        private boolean done;

        State(ConstraintState inCall, byte[] tail, int tailLength, boolean done) {
            this.inCall = inCall;
            this.tail = tail;
            this.tailLength = tailLength;
            this.done = done;
        }

        @Override
        public void fillAllowed(long[] allowed) {
            if (inCall != null) {
                inCall.fillAllowed(allowed);
            } else {
                Arrays.fill(allowed, -1L);
            }
        }

        @Override
        public boolean advance(int token) {
            if (inCall != null) {
                if (!inCall.advance(token)) {
                    return false;
                }
                if (inCall.isComplete()) {
                    inCall = null;
                    tailLength = 0;
                    done = !parallel;
                }
                return true;
            }
            if (triggerIds.contains(token) || spellsTrigger(token)) {
                inCall = call.start();
            }
            return true;
        }

        private boolean spellsTrigger(int token) {
            if (trigger.length == 0 || token >= tokenBytes.length) {
                return false;
            }
            for (byte b : tokenBytes[token]) {
                if (tailLength == tail.length) {
                    System.arraycopy(tail, 1, tail, 0, tail.length - 1);
                    tailLength--;
                }
                tail[tailLength++] = b;
            }
            return tailLength == trigger.length && Arrays.equals(tail, trigger);
        }

        @Override
        public boolean canFinish() {
            return inCall == null || inCall.canFinish();
        }

        @Override
        public boolean isComplete() {
            return done;
        }

        @Override
        public ConstraintState copy() {
            return new State(inCall == null ? null : inCall.copy(), tail.clone(), tailLength, done);
        }
    }
}

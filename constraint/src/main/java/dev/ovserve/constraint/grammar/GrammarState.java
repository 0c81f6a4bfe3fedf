package dev.ovserve.constraint.grammar;

import dev.ovserve.scheduler.sampling.ConstraintState;
import java.util.Arrays;

/** One sequence's position in a {@link GrammarConstraint}; positions are immutable, so copies are cheap. */
public final class GrammarState implements ConstraintState {
    private final GrammarConstraint constraint;
    private Position position;
    private boolean finished;
    private final java.util.Map<Frame, int[]> dependentMemo = new java.util.HashMap<>();

    GrammarState(GrammarConstraint constraint, Position position) {
        this.constraint = constraint;
        this.position = position;
    }

    @Override
    public void fillAllowed(long[] allowed) {
        Arrays.fill(allowed, 0L);
        if (finished) {
            return;
        }
        constraint.fill(position, allowed, dependentMemo);
        if (position.accepting) {
            for (int id : constraint.index().eos) {
                allowed[id >>> 6] |= 1L << (id & 63);
            }
        }
    }

    @Override
    public boolean advance(int token) {
        if (finished) {
            return false;
        }
        TokenIndex index = constraint.index();
        if (index.isEos(token)) {
            if (!position.accepting) {
                return false;
            }
            finished = true;
            return true;
        }
        byte[] b = index.textBytes(token);
        if (b == null) {
            return false;
        }
        Position p = position;
        for (byte x : b) {
            p = constraint.grammar().step(p, x & 0xFF);
            if (p.dead()) {
                return false;
            }
        }
        position = p;
        return true;
    }

    /** Reads raw bytes (not a token); false, with the state unchanged, if they cannot continue the output. */
    public boolean advanceBytes(byte[] bytes) {
        Position p = position;
        for (byte x : bytes) {
            p = constraint.grammar().step(p, x & 0xFF);
            if (p.dead()) {
                return false;
            }
        }
        position = p;
        return true;
    }

    @Override
    public boolean canFinish() {
        return position.accepting;
    }

    @Override
    public boolean isComplete() {
        return finished || position.tops.length == 0;
    }

    @Override
    public ConstraintState copy() {
        GrammarState c = new GrammarState(constraint, position);
        c.finished = finished;
        return c;
    }

    /**
     * Jump-forward: the bytes the constraint forces next (empty if there is any choice, or if the
     * output may end here). Does not advance; the caller tokenizes them and feeds the tokens
     * through {@link #advance} like sampled ones, so usage counts every token it emits.
     */
    public byte[] forcedBytes() {
        return finished ? new byte[0] : constraint.grammar().forcedBytes(position, 1024);
    }

    /** Fewest bytes that complete a valid output from here (0 when EOS is allowed now). */
    public long minCompletionBytes() {
        return constraint.grammar().minCompletion(position);
    }
}

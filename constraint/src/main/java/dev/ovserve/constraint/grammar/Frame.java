package dev.ovserve.constraint.grammar;

import java.util.Objects;

/**
 * One level of a matcher stack: an automaton state and the frame to return to when its rule
 * ends. Immutable, so stacks share their tails.
 */
final class Frame {
    final int state;
    final Frame parent;
    private final int hash;

    Frame(int state, Frame parent) {
        this.state = state;
        this.parent = parent;
        this.hash = 31 * state + (parent == null ? 7 : parent.hash);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Frame f) || f.hash != hash) {
            return false;
        }
        Frame a = this;
        Frame b = f;
        while (a != null && b != null) {
            if (a == b) {
                return true;
            }
            if (a.state != b.state || a.hash != b.hash) {
                return false;
            }
            a = a.parent;
            b = b.parent;
        }
        return Objects.equals(a, b);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}

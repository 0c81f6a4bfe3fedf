package dev.ovserve.constraint.grammar;

/**
 * Where a matcher stands after some bytes: every stack whose top can still read a byte, and
 * whether the bottom rule may end here ({@code accepting}). Immutable.
 */
final class Position {
    static final Position DEAD = new Position(new Frame[0], false);

    final Frame[] tops;
    final boolean accepting;

    Position(Frame[] tops, boolean accepting) {
        this.tops = tops;
        this.accepting = accepting;
    }

    static Position single(Frame top) {
        return new Position(new Frame[] {top}, false);
    }

    boolean dead() {
        return tops.length == 0 && !accepting;
    }
}

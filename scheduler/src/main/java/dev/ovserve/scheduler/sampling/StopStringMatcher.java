package dev.ovserve.scheduler.sampling;

import java.util.List;

/**
 * Finds stop strings in streamed, detokenized text, across piece boundaries. Text is released as
 * soon as it can no longer be part of a stop string; only the longest suffix that could still
 * begin one is held back (plus a trailing high surrogate, so a surrogate pair is never split
 * between two released pieces).
 *
 * <p>Which stop wins: the occurrence that <em>completes</em> first in the text; among those
 * completing at the same character, the longest. That is what streaming generation does (it
 * stops as soon as a stop string appears, so the model never produces what would complete a
 * longer one), and it makes the result independent of how the text is split into pieces. It
 * equals "earliest start" except when one stop lies strictly inside another: with stops
 * {@code "abcd"} and {@code "bc"} over {@code "abcd"}, {@code "bc"} wins and {@code "a"} is
 * released. The stop string itself and everything after it are never released.
 *
 * <p>Not thread-safe; one per completion.
 */
public final class StopStringMatcher {
    /**
     * @param text newly releasable text, possibly empty
     * @param matchedStop the stop string found, or null; when set the completion must finish with
     *     {@link FinishReason#STOP} and {@code text} is the last text it releases
     */
    public record Result(String text, String matchedStop) {
        public boolean stopped() {
            return matchedStop != null;
        }
    }

    private static final Result NOTHING = new Result("", null);

    private final String[] stops;
    private final int maxStopLength;
    private final StringBuilder held = new StringBuilder();
    private String matchedStop;

    public StopStringMatcher(List<String> stops) {
        this.stops = stops.toArray(String[]::new);
        int max = 0;
        for (String s : this.stops) {
            checkStopString(s);
            max = Math.max(max, s.length());
        }
        this.maxStopLength = max;
    }

    /** Takes the next piece of text; returns what may be released now and whether a stop string matched. */
    public Result feed(String piece) {
        if (matchedStop != null || piece.isEmpty()) {
            return NOTHING;
        }
        held.append(piece);
        // No stop lies wholly inside the previously held text (it would have matched then), so
        // any occurrence found now completes within this piece.
        String best = null;
        int bestStart = -1;
        int bestEnd = Integer.MAX_VALUE;
        for (String s : stops) {
            int start = held.indexOf(s);
            if (start < 0) {
                continue;
            }
            int end = start + s.length();
            if (end < bestEnd || (end == bestEnd && start < bestStart)) {
                best = s;
                bestStart = start;
                bestEnd = end;
            }
        }
        if (best != null) {
            matchedStop = best;
            String text = held.substring(0, bestStart);
            held.setLength(0);
            return new Result(text, best);
        }
        int release = held.length() - heldBackLength();
        if (release > 0 && Character.isHighSurrogate(held.charAt(release - 1))) {
            release--; // its low surrogate is still to come (or held back with it)
        }
        if (release == 0) {
            return NOTHING;
        }
        String text = held.substring(0, release);
        held.delete(0, release);
        return new Result(text, null);
    }

    /** At the end of generation without a stop match: releases whatever is still held back. */
    public Result flush() {
        if (matchedStop != null || held.isEmpty()) {
            return NOTHING;
        }
        String text = held.toString();
        held.setLength(0);
        return new Result(text, null);
    }

    public boolean stopped() {
        return matchedStop != null;
    }

    /** The stop string that matched, or null. */
    public String matchedStop() {
        return matchedStop;
    }

    /** Length of the longest suffix of the held text that is a proper prefix of some stop string. */
    private int heldBackLength() {
        int n = held.length();
        for (int len = Math.min(n, maxStopLength - 1); len > 0; len--) {
            for (String s : stops) {
                if (s.length() > len && startsWithSuffix(s, n - len, len)) {
                    return len;
                }
            }
        }
        return 0;
    }

    private boolean startsWithSuffix(String stop, int from, int len) {
        for (int i = 0; i < len; i++) {
            if (held.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rejects stop strings that cannot work: null, empty (it would match before any text), or
     * with an unpaired surrogate (it could match inside a surrogate pair).
     */
    static void checkStopString(String s) {
        if (s == null) {
            throw SamplingParams.invalid("stop strings must not be null");
        }
        if (s.isEmpty()) {
            throw SamplingParams.invalid("stop strings must not be empty");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw SamplingParams.invalid("stop strings must be well-formed Unicode; \"" + s
                        + "\" has an unpaired surrogate at index " + i);
            }
        }
    }
}

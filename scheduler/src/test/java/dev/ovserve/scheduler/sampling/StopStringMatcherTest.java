package dev.ovserve.scheduler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    /** What feeding a whole text must give, computed directly: the first stop to complete, longest on a tie. */
    private record Expected(String text, String stop) {}

    private static Expected reference(String text, List<String> stops) {
        for (int end = 1; end <= text.length(); end++) {
            String best = null;
            for (String s : stops) {
                if (end >= s.length() && text.startsWith(s, end - s.length()) && (best == null || s.length() > best.length())) {
                    best = s;
                }
            }
            if (best != null) {
                return new Expected(text.substring(0, end - best.length()), best);
            }
        }
        return new Expected(text, null);
    }

    /** How much of {@code text} may be out: all but the longest suffix that is a proper prefix of a stop, and a trailing high surrogate. */
    private static int releasable(String text, List<String> stops) {
        int held = 0;
        for (String s : stops) {
            for (int len = Math.min(text.length(), s.length() - 1); len > held; len--) {
                if (text.endsWith(s.substring(0, len))) {
                    held = len;
                }
            }
        }
        int out = text.length() - held;
        return out > 0 && Character.isHighSurrogate(text.charAt(out - 1)) ? out - 1 : out;
    }

    /** Feeds the pieces, checking every intermediate result; returns what was released and the stop matched. */
    private static Expected run(List<String> pieces, List<String> stops) {
        StopStringMatcher m = new StopStringMatcher(stops);
        StringBuilder fed = new StringBuilder();
        StringBuilder out = new StringBuilder();
        for (String piece : pieces) {
            fed.append(piece);
            StopStringMatcher.Result r = m.feed(piece);
            assertWellFormed(r.text(), pieces, stops);
            out.append(r.text());
            if (r.stopped()) {
                assertTrue(m.stopped());
                assertEquals(r.matchedStop(), m.matchedStop());
                assertEquals(new StopStringMatcher.Result("", null), m.feed("more"), "nothing follows a stop");
                assertEquals(new StopStringMatcher.Result("", null), m.flush());
                return new Expected(out.toString(), r.matchedStop());
            }
            assertEquals(releasable(fed.toString(), stops), out.length(),
                    "holds back exactly the longest possible stop prefix, after " + pieces + " / " + stops);
        }
        StopStringMatcher.Result last = m.flush();
        assertNull(last.matchedStop());
        out.append(last.text());
        assertFalse(m.stopped());
        return new Expected(out.toString(), null);
    }

    private static void assertWellFormed(String released, List<String> pieces, List<String> stops) {
        if (released.isEmpty()) {
            return;
        }
        assertFalse(Character.isLowSurrogate(released.charAt(0)), "split pair at the start: " + pieces + " / " + stops);
        assertFalse(Character.isHighSurrogate(released.charAt(released.length() - 1)), "split pair at the end: " + pieces + " / " + stops);
    }

    private static void check(String text, List<String> stops, List<String> pieces) {
        assertEquals(reference(text, stops), run(pieces, stops), "pieces " + pieces + ", stops " + stops);
    }

    @Test
    void stopInsideOnePiece() {
        assertEquals(new Expected("Hello ", "STOP"), run(List.of("Hello STOP world"), List.of("STOP")));
    }

    @Test
    void stopSpanningSeveralPieces() {
        assertEquals(new Expected("x", "abcd"), run(List.of("xa", "b", "c", "d", "e"), List.of("abcd")));
    }

    @Test
    void holdsBackOnlyWhatCouldStillBeAStop() {
        StopStringMatcher m = new StopStringMatcher(List.of("abc"));
        assertEquals("xx", m.feed("xxab").text());
        assertEquals("abd", m.feed("d").text());
        assertEquals("a", m.feed("aa").text());
        assertEquals("", m.feed("b").text());
        assertEquals("ab", m.flush().text());
    }

    @Test
    void overlappingCandidatesTheFirstToCompleteWins() {
        assertEquals(new Expected("", "ab"), run(List.of("abc"), List.of("bc", "ab")));
        assertEquals(new Expected("", "ab"), run(List.of("a", "b", "c"), List.of("bc", "ab")));
        assertEquals(new Expected("xac", "bc"), run(List.of("xa", "c", "bc"), List.of("ab", "bc")));
        assertEquals(new Expected("x", "ab"), run(List.of("x", "abc"), List.of("bc", "ab")));
    }

    @Test
    void stopsThatArePrefixesOfEachOther() {
        assertEquals(new Expected("1", "ab"), run(List.of("1abc"), List.of("abc", "ab")));
        assertEquals(new Expected("1", "ab"), run(List.of("1a", "bc"), List.of("abc", "ab")));
    }

    @Test
    void aStopStrictlyInsideAnotherEndsTheTextFirst() {
        assertEquals(new Expected("a", "bc"), run(List.of("abcd"), List.of("abcd", "bc")));
        assertEquals(new Expected("a", "bc"), run(List.of("a", "b", "c", "d"), List.of("abcd", "bc")));
    }

    @Test
    void severalStopsInOnePieceTheEarliestWins() {
        assertEquals(new Expected("one ", "<b>"), run(List.of("one <b> two <a> three"), List.of("<a>", "<b>")));
    }

    @Test
    void noStopsPassesTextThrough() {
        StopStringMatcher m = new StopStringMatcher(List.of());
        assertEquals("abc", m.feed("abc").text());
        assertEquals("", m.feed("").text());
        assertEquals("x", m.feed("x\uD83D").text(), "a dangling high surrogate waits for its pair");
        assertEquals("\uD83D\uDE00y", m.feed("\uDE00y").text());
        assertEquals("", m.flush().text());
    }

    @Test
    void surrogatePairsAreNeverSplit() {
        String smile = "\uD83D\uDE00";
        String frown = "\uD83D\uDE41";
        assertEquals(new Expected("a" + smile, frown), run(List.of("a\uD83D", "\uDE00\uD83D", "\uDE41b"), List.of(frown)));
        StopStringMatcher m = new StopStringMatcher(List.of(smile + "!"));
        assertEquals("a", m.feed("a" + smile).text());
        assertEquals(smile + "?", m.feed("?").text());
    }

    @Test
    void rejectsStopsThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(List.of("\uDE00x")));
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(List.of("x\uD83D")));
    }

    private static final String[] ALPHABET = {"a", "b", "c", "\uD83D\uDE00", "\uD83D\uDE41", "é"};

    private static String randomText(Random r, int codePoints) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            b.append(ALPHABET[r.nextInt(r.nextBoolean() ? 3 : ALPHABET.length)]);
        }
        return b.toString();
    }

    private static List<String> randomStops(Random r, String text) {
        List<String> stops = new ArrayList<>();
        int count = r.nextInt(4);
        for (int i = 0; i < count; i++) {
            if (r.nextInt(3) > 0 && text.codePointCount(0, text.length()) > 0) {
                // a code-point-aligned substring of the text, so matches are common
                int cps = text.codePointCount(0, text.length());
                int from = r.nextInt(cps);
                int to = Math.min(cps, from + 1 + r.nextInt(4));
                stops.add(text.substring(text.offsetByCodePoints(0, from), text.offsetByCodePoints(0, to)));
            } else {
                stops.add(randomText(r, 1 + r.nextInt(3)));
            }
        }
        return stops;
    }

    @Test
    void everySplittingOfShortTextsGivesTheWholeTextAnswer() {
        Random r = new Random(1);
        for (int trial = 0; trial < 600; trial++) {
            String text = randomText(r, 1 + r.nextInt(6));
            if (text.length() > 10) {
                text = text.substring(0, 10);
            }
            List<String> stops = randomStops(r, text);
            stops.removeIf(s -> Character.isLowSurrogate(s.charAt(0)) || Character.isHighSurrogate(s.charAt(s.length() - 1)));
            int cuts = text.length() - 1;
            for (int mask = 0; mask < 1 << cuts; mask++) {
                check(text, stops, split(text, mask));
            }
        }
    }

    @Test
    void randomSplittingsOfLongerTextsGiveTheWholeTextAnswer() {
        Random r = new Random(2);
        for (int trial = 0; trial < 3000; trial++) {
            String text = randomText(r, 1 + r.nextInt(40));
            List<String> stops = randomStops(r, text);
            for (int split = 0; split < 20; split++) {
                long mask = 0;
                for (int i = 0; i < text.length() - 1; i++) {
                    if (r.nextInt(3) == 0) {
                        mask |= 1L << i;
                    }
                }
                check(text, stops, split(text, mask));
            }
        }
    }

    /** Cuts after char i when bit i is set, even inside a surrogate pair; empty pieces are not produced. */
    private static List<String> split(String text, long mask) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length() - 1; i++) {
            if ((mask & (1L << i)) != 0) {
                pieces.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        pieces.add(text.substring(start));
        return pieces;
    }
}

package dev.ovserve.scheduler.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.kv.PropertyCheck.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The harness itself; fixed settings, so -Dovserve.property.* do not change these tests. */
class PropertyCheckTest {
    private static final Settings SETTINGS = new Settings(100, 7, null);
    private static final Function<PropertyCheck.Gen, List<Integer>> LISTS =
            gen -> gen.list(1, 80, () -> gen.between(0, 1000));

    @Test
    void failureIsShrunkToASmallestInputAndNamesItsSeed() {
        List<List<Integer>> failing = new ArrayList<>();
        AssertionError e = assertThrows(AssertionError.class, () -> PropertyCheck.check(SETTINGS, LISTS,
                list -> PropertyCheck.smallerLists(list, 1),
                (list, coverage) -> {
                    if (list.stream().anyMatch(x -> x >= 900)) {
                        failing.add(list);
                        throw new AssertionError("too big");
                    }
                }));
        List<Integer> smallest = failing.getLast();
        assertEquals(1, smallest.size(), "shrunk to the single offending element");
        assertTrue(e.getMessage().contains("smallest failing input:\n" + smallest), e.getMessage());

        // The printed seed regenerates the original failing input.
        Matcher seed = Pattern.compile("replay=(-?\\d+)").matcher(e.getMessage());
        assertTrue(seed.find(), e.getMessage());
        List<List<Integer>> replayed = new ArrayList<>();
        PropertyCheck.check(new Settings(1, 0, Long.parseLong(seed.group(1))), LISTS, list -> Stream.of(),
                (list, coverage) -> replayed.add(list));
        assertEquals(List.of(failing.getFirst()), replayed);
    }

    @Test
    void sameSeedSameInputsAndTriesDiffer() {
        List<List<Integer>> first = new ArrayList<>();
        List<List<Integer>> second = new ArrayList<>();
        PropertyCheck.check(SETTINGS, LISTS, list -> Stream.of(), (list, c) -> first.add(list));
        PropertyCheck.check(SETTINGS, LISTS, list -> Stream.of(), (list, c) -> second.add(list));
        assertEquals(first, second);
        assertEquals(SETTINGS.tries(), first.stream().distinct().count());
    }

    @Test
    void outcomeNoTryReachedFailsTheProperty() {
        AssertionError e = assertThrows(AssertionError.class, () -> PropertyCheck.check(SETTINGS, LISTS,
                list -> Stream.of(),
                (list, coverage) -> {
                    coverage.covered("non-empty", !list.isEmpty());
                    coverage.covered("longer than 80", list.size() > 80);
                }));
        assertTrue(e.getMessage().contains("[longer than 80]"), e.getMessage());
    }
}

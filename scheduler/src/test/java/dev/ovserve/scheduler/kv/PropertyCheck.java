package dev.ovserve.scheduler.kv;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A small seeded property-test harness on plain JUnit: runs a property over many generated
 * inputs, each try from its own seed drawn from a base seed, shrinks a failing input and says how
 * to replay it.
 *
 * <p>System properties: {@code ovserve.property.tries} (per property, default 300),
 * {@code ovserve.property.seed} (base seed; fixed by default so CI is reproducible) and
 * {@code ovserve.property.replay} (run only the try with this seed, as printed by a failure).
 */
final class PropertyCheck {
    static final int DEFAULT_TRIES = 300;
    static final long DEFAULT_SEED = 20_240_611L;
    /** Property runs spent shrinking at most: a few seconds even for slow properties. */
    private static final int SHRINK_RUNS = 2_000;

    /** How to run; {@code replay} non-null runs that one seed and skips the coverage check. */
    record Settings(int tries, long seed, Long replay) {
        static Settings fromSystemProperties() {
            String replay = System.getProperty("ovserve.property.replay");
            return new Settings(
                    Integer.decode(System.getProperty("ovserve.property.tries", "" + DEFAULT_TRIES)),
                    Long.decode(System.getProperty("ovserve.property.seed", "" + DEFAULT_SEED)),
                    replay == null ? null : Long.decode(replay));
        }
    }

    private PropertyCheck() {}

    /**
     * Checks {@code property} on generated inputs. {@code shrink} proposes smaller variants of a
     * failing input, most promising first; the input's toString is what a failure prints.
     */
    static <T> void check(Function<Gen, T> generator, Function<T, Stream<T>> shrink,
            BiConsumer<T, Coverage> property) {
        check(Settings.fromSystemProperties(), generator, shrink, property);
    }

    static <T> void check(Settings settings, Function<Gen, T> generator, Function<T, Stream<T>> shrink,
            BiConsumer<T, Coverage> property) {
        if (settings.replay() != null) {
            long seed = settings.replay();
            tryOnce(generator, shrink, property, seed, new Coverage(), "replayed seed " + seed);
            return;
        }
        Coverage coverage = new Coverage();
        // Drawn, not base + i: neighbouring base seeds would otherwise share almost every try.
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        for (int i = 0; i < settings.tries(); i++) {
            long seed = seeds.nextLong();
            tryOnce(generator, shrink, property, seed, coverage, "try " + (i + 1) + " of " + settings.tries()
                    + " (seed " + seed + ", base seed " + settings.seed() + ")");
        }
        coverage.check(settings.tries() + " tries (base seed " + settings.seed() + ")");
    }

    /**
     * Smaller lists for shrinking: {@code list} without one run of n/2, n/4, ..., 1 consecutive
     * elements, tail runs first (so the prefixes before a failure come early), never below minSize.
     */
    static <E> Stream<List<E>> smallerLists(List<E> list, int minSize) {
        int n = list.size();
        return IntStream.iterate(n / 2, k -> k > 0, k -> k / 2).boxed()
                .flatMap(k -> IntStream.iterate(n - k, from -> from >= 0, from -> from - k)
                        .mapToObj(from -> without(list, from, k)))
                .filter(smaller -> smaller.size() >= minSize);
    }

    private static <E> List<E> without(List<E> list, int from, int count) {
        List<E> out = new ArrayList<>(list.subList(0, from));
        out.addAll(list.subList(from + count, list.size()));
        return out;
    }

    private static <T> void tryOnce(Function<Gen, T> generator, Function<T, Stream<T>> shrink,
            BiConsumer<T, Coverage> property, long seed, Coverage coverage, String where) {
        T input = generator.apply(new Gen(seed));
        Throwable failure = failure(property, input, coverage);
        if (failure == null) {
            return;
        }
        // Greedy: take the first smaller input that still fails, until none does.
        T smallest = input;
        Throwable smallestFailure = failure;
        int runs = 0;
        int steps = 0;
        for (boolean shrunk = true; shrunk && runs < SHRINK_RUNS; ) {
            shrunk = false;
            for (Iterator<T> it = shrink.apply(smallest).iterator(); it.hasNext() && runs < SHRINK_RUNS; ) {
                T candidate = it.next();
                runs++;
                Throwable f = failure(property, candidate, new Coverage());
                if (f != null) {
                    smallest = candidate;
                    smallestFailure = f;
                    steps++;
                    shrunk = true;
                    break;
                }
            }
        }
        AssertionError report = new AssertionError("Property failed on " + where + ": " + smallestFailure
                + "\nReplay just this try with -Dovserve.property.replay=" + seed
                + (steps == 0 ? "\nFailing input:\n" : "\nShrunk in " + steps + " steps; smallest failing input:\n")
                + smallest, smallestFailure);
        if (smallestFailure != failure) {
            report.addSuppressed(failure);
        }
        throw report;
    }

    private static <T> Throwable failure(BiConsumer<T, Coverage> property, T input, Coverage coverage) {
        try {
            property.accept(input, coverage);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e;
        }
    }

    /** Random inputs for one try. */
    static final class Gen {
        private final SplittableRandom random;

        Gen(long seed) {
            this.random = new SplittableRandom(seed);
        }

        /** Uniform in [min, max], but one time in eight a bound: off-by-one bugs live there. */
        int between(int min, int max) {
            return switch (random.nextInt(16)) {
                case 0 -> min;
                case 1 -> max;
                default -> random.nextInt(min, max + 1);
            };
        }

        boolean bool() {
            return random.nextBoolean();
        }

        /** An index into {@code weights}, each with probability weight / sum. */
        int weighted(int... weights) {
            int r = random.nextInt(IntStream.of(weights).sum());
            int i = 0;
            while (r >= weights[i]) {
                r -= weights[i++];
            }
            return i;
        }

        int[] ints(int minLength, int maxLength, int min, int max) {
            int[] out = new int[between(minLength, maxLength)];
            for (int i = 0; i < out.length; i++) {
                out[i] = between(min, max);
            }
            return out;
        }

        <E> List<E> list(int minSize, int maxSize, Supplier<E> element) {
            int n = between(minSize, maxSize);
            List<E> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(element.get());
            }
            return List.copyOf(out);
        }
    }

    /** Outcomes some try must reach, so that a passing run is not a vacuous one. */
    static final class Coverage {
        private final Map<String, Integer> counts = new LinkedHashMap<>();

        void covered(String label, boolean happened) {
            counts.merge(label, happened ? 1 : 0, Integer::sum);
        }

        private void check(String over) {
            List<String> never = counts.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey)
                    .toList();
            if (!never.isEmpty()) {
                throw new AssertionError("Never happened in " + over + ": " + never + "; tries per outcome: " + counts);
            }
        }
    }
}

package dev.ovserve.scheduler.kv;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

class BlockManagerPropertyTest {
    private static final int ALPHABET = 3;

    enum Kind { ADMIT, STEP, FORK, FINISH, PREEMPT, READMIT, CANCEL_WAITING, LOOKUP }

    /** One engine event; a, b and c pick the sequence, chunk, tokens etc. when it runs. */
    record Op(Kind kind, int a, int b, int c) {}

    @Property(tries = 300)
    @StatisticsReport(onFailureOnly = true)
    void anyMixOfOperationsKeepsBlocksAccountedExactly(
            @ForAll @IntRange(min = 4, max = 64) int numBlocks,
            @ForAll @IntRange(min = 1, max = 8) int blockSize,
            @ForAll boolean prefixCaching,
            @ForAll("basePrompts") List<int[]> bases,
            @ForAll("operations") List<Op> ops) {
        KvSimulation sim = run(numBlocks, blockSize, prefixCaching, bases, ops);
        sim.finishAll();
        KvSimulation.Events e = sim.events();
        covered("caching on", prefixCaching);
        covered("caching off", !prefixCaching);
        covered("allocation refused", e.refusedAllocations > 0);
        covered("copy-on-write", e.copies > 0);
        covered("hit adopted", e.adoptedHitBlocks > 0);
    }

    /**
     * Small caches, so admissions and growth are refused and cached blocks evicted often: every
     * outcome (allocate, blocksNeeded, prepareWrite's copies or refusal, owned and used blocks)
     * must match what the reference model predicts.
     */
    @Property(tries = 300)
    @StatisticsReport(onFailureOnly = true)
    void blockManagerAgreesWithAReferenceModel(
            @ForAll @IntRange(min = 4, max = 12) int numBlocks,
            @ForAll @IntRange(min = 1, max = 4) int blockSize,
            @ForAll("basePrompts") List<int[]> bases,
            @ForAll("operations") List<Op> ops) {
        KvSimulation sim = run(numBlocks, blockSize, true, bases, ops);
        sim.finishAll();
        KvSimulation.Events e = sim.events();
        covered("allocation refused", e.refusedAllocations > 0);
        covered("preemption", e.preemptions > 0);
        covered("copy-on-write", e.copies > 0);
        covered("hit adopted", e.adoptedHitBlocks > 0);
        covered("eviction", e.evictions > 0);
    }

    private static KvSimulation run(int numBlocks, int blockSize, boolean prefixCaching, List<int[]> bases,
            List<Op> ops) {
        KvSimulation sim = new KvSimulation(numBlocks, blockSize, prefixCaching);
        for (Op op : ops) {
            switch (op.kind()) {
                case ADMIT -> sim.admitNew(prompt(bases, op), 1 + op.c() % 16);
                case STEP -> sim.step(op.a(), 1 + op.b() % 10, op.c() % ALPHABET);
                case FORK -> sim.fork(op.a());
                case FINISH -> sim.finish(op.a());
                case PREEMPT -> sim.preemptRunning(op.a());
                case READMIT -> sim.readmit(op.a(), 1 + op.b() % 16);
                case CANCEL_WAITING -> sim.cancelWaiting(op.a());
                case LOOKUP -> sim.lookup(prompt(bases, op));
            }
            sim.verify();
        }
        return sim;
    }

    /** A prefix of one of a few base prompts, sometimes with a token of its own: prefixes repeat. */
    private static int[] prompt(List<int[]> bases, Op op) {
        int[] base = bases.get(op.a() % bases.size());
        int[] prompt = Arrays.copyOf(base, 1 + op.b() % base.length);
        if (op.c() % 4 == 0) {
            prompt = Arrays.copyOf(prompt, prompt.length + 1);
            prompt[prompt.length - 1] = (op.c() / 4) % ALPHABET;
        }
        return prompt;
    }

    /** Fails the property unless some tries took this path: the runs must not be vacuous. */
    private static void covered(String label, boolean happened) {
        Statistics.label(label).collect(happened);
        Statistics.label(label).coverage(coverage -> coverage.check(true).count(n -> n > 0));
    }

    @Provide
    Arbitrary<List<int[]>> basePrompts() {
        return Arbitraries.integers().between(0, ALPHABET - 1).array(int[].class).ofMinSize(1).ofMaxSize(40)
                .list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(
                Tuple.of(4, Kind.ADMIT),
                Tuple.of(10, Kind.STEP),
                Tuple.of(2, Kind.FORK),
                Tuple.of(2, Kind.FINISH),
                Tuple.of(1, Kind.PREEMPT),
                Tuple.of(2, Kind.READMIT),
                Tuple.of(1, Kind.CANCEL_WAITING),
                Tuple.of(1, Kind.LOOKUP));
        Arbitrary<Integer> any = Arbitraries.integers().between(0, 1 << 16);
        return Combinators.combine(kinds, any, any, any).as(Op::new).list().ofMinSize(1).ofMaxSize(80);
    }
}

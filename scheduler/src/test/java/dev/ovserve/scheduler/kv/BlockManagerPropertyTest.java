package dev.ovserve.scheduler.kv;

import dev.ovserve.scheduler.kv.PropertyCheck.Gen;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Random engine-like operation sequences against the block manager; see {@link PropertyCheck} for seeds. */
class BlockManagerPropertyTest {
    private static final int ALPHABET = 3;

    enum Kind { ADMIT, STEP, FORK, FINISH, PREEMPT, READMIT, CANCEL_WAITING, LOOKUP }

    /** Relative frequency of each {@link Kind}, in declaration order. */
    private static final int[] KIND_WEIGHTS = {4, 10, 2, 2, 1, 2, 1, 1};

    /** One engine event; a, b and c pick the sequence, chunk, tokens etc. when it runs. */
    record Op(Kind kind, int a, int b, int c) {
        @Override
        public String toString() {
            return kind + "(" + a + ", " + b + ", " + c + ")";
        }
    }

    /** One try's input: a cache and the operations run on it. */
    record Case(int numBlocks, int blockSize, boolean prefixCaching, List<int[]> bases, List<Op> ops) {
        /**
         * Fewer operations, then shorter base prompts (halved or one token less; ops pick bases by
         * index, so their number stays). The cache stays as generated, so the failure stays alike.
         */
        Stream<Case> smaller() {
            Stream<Case> fewerOps = PropertyCheck.smallerLists(ops, 1)
                    .map(o -> new Case(numBlocks, blockSize, prefixCaching, bases, o));
            Stream<Case> shorterBases = IntStream.range(0, bases.size())
                    .filter(i -> bases.get(i).length > 1).boxed()
                    .flatMap(i -> Stream.of(bases.get(i).length / 2, bases.get(i).length - 1).distinct().map(n -> {
                        List<int[]> shorter = new ArrayList<>(bases);
                        shorter.set(i, Arrays.copyOf(bases.get(i), n));
                        return new Case(numBlocks, blockSize, prefixCaching, shorter, ops);
                    }));
            return Stream.concat(fewerOps, shorterBases);
        }

        @Override
        public String toString() {
            return "numBlocks=" + numBlocks + " blockSize=" + blockSize + " prefixCaching=" + prefixCaching
                    + "\nbases=" + bases.stream().map(Arrays::toString).toList()
                    + "\nops (" + ops.size() + "):\n" + IntStream.range(0, ops.size())
                            .mapToObj(i -> "  " + i + ": " + ops.get(i)).collect(Collectors.joining("\n"));
        }
    }

    @Test
    void anyMixOfOperationsKeepsBlocksAccountedExactly() {
        PropertyCheck.check(
                gen -> new Case(gen.between(4, 64), gen.between(1, 8), gen.bool(), basePrompts(gen), operations(gen)),
                Case::smaller,
                (c, coverage) -> {
                    KvSimulation sim = run(c);
                    sim.finishAll();
                    KvSimulation.Events e = sim.events();
                    coverage.covered("caching on", c.prefixCaching());
                    coverage.covered("caching off", !c.prefixCaching());
                    coverage.covered("allocation refused", e.refusedAllocations > 0);
                    coverage.covered("copy-on-write", e.copies > 0);
                    coverage.covered("hit adopted", e.adoptedHitBlocks > 0);
                });
    }

    /**
     * Small caches, so admissions and growth are refused and cached blocks evicted often: every
     * outcome (allocate, blocksNeeded, prepareWrite's copies or refusal, owned and used blocks)
     * must match what the reference model predicts.
     */
    @Test
    void blockManagerAgreesWithAReferenceModel() {
        PropertyCheck.check(
                gen -> new Case(gen.between(4, 12), gen.between(1, 4), true, basePrompts(gen), operations(gen)),
                Case::smaller,
                (c, coverage) -> {
                    KvSimulation sim = run(c);
                    sim.finishAll();
                    KvSimulation.Events e = sim.events();
                    coverage.covered("allocation refused", e.refusedAllocations > 0);
                    coverage.covered("preemption", e.preemptions > 0);
                    coverage.covered("copy-on-write", e.copies > 0);
                    coverage.covered("hit adopted", e.adoptedHitBlocks > 0);
                    coverage.covered("eviction", e.evictions > 0);
                });
    }

    /** Runs the operations, checking everything (KvSimulation.verify) after each one. */
    private static KvSimulation run(Case c) {
        KvSimulation sim = new KvSimulation(c.numBlocks(), c.blockSize(), c.prefixCaching());
        for (Op op : c.ops()) {
            switch (op.kind()) {
                case ADMIT -> sim.admitNew(prompt(c.bases(), op), 1 + op.c() % 16);
                case STEP -> sim.step(op.a(), 1 + op.b() % 10, op.c() % ALPHABET);
                case FORK -> sim.fork(op.a());
                case FINISH -> sim.finish(op.a());
                case PREEMPT -> sim.preemptRunning(op.a());
                case READMIT -> sim.readmit(op.a(), 1 + op.b() % 16);
                case CANCEL_WAITING -> sim.cancelWaiting(op.a());
                case LOOKUP -> sim.lookup(prompt(c.bases(), op));
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

    /** One to three prompts of 1 to 40 tokens over a tiny alphabet, so prompts share prefixes. */
    private static List<int[]> basePrompts(Gen gen) {
        return gen.list(1, 3, () -> gen.ints(1, 40, 0, ALPHABET - 1));
    }

    private static List<Op> operations(Gen gen) {
        return gen.list(1, 80, () -> new Op(Kind.values()[gen.weighted(KIND_WEIGHTS)],
                gen.between(0, 1 << 16), gen.between(0, 1 << 16), gen.between(0, 1 << 16)));
    }
}

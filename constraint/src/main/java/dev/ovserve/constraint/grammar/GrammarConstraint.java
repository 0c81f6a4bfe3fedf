package dev.ovserve.constraint.grammar;

import dev.ovserve.scheduler.sampling.ConstraintState;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A compiled grammar bound to one vocabulary. Immutable apart from its mask cache, which any
 * thread may fill: for each automaton state, the tokens that read entirely inside the state's
 * rule (allowed whatever lies below on the stack) and the few that leave the rule mid-token and
 * must be checked against the real stack — XGrammar's context-independent/dependent split.
 */
public final class GrammarConstraint implements TokenConstraint {
    private final CompiledGrammar grammar;
    private final TokenIndex index;
    private final AtomicReferenceArray<StateMask> masks;
    private final Map<StateMask, StateMask> interned = new ConcurrentHashMap<>();

    public GrammarConstraint(CompiledGrammar grammar, TokenIndex index) {
        this.grammar = grammar;
        this.index = index;
        this.masks = new AtomicReferenceArray<>(grammar.stateCount());
    }

    @Override
    public ConstraintState start() {
        return new GrammarState(this, grammar.initial());
    }

    @Override
    public String kind() {
        return grammar.kind();
    }

    CompiledGrammar grammar() {
        return grammar;
    }

    TokenIndex index() {
        return index;
    }

    /**
     * ORs the tokens allowed at {@code p} into {@code allowed} (EOS excluded). {@code memo} keeps,
     * per stack (top frame and everything below), which context-dependent tokens it allows: a
     * sequence inside a long string or array meets the same stack step after step.
     */
    void fill(Position p, long[] allowed, Map<Frame, int[]> memo) {
        for (Frame top : p.tops) {
            StateMask m = mask(top.state);
            long[] acc = m.accepted;
            for (int i = 0; i < acc.length; i++) {
                allowed[i] |= acc[i];
            }
            if (m.dependent.length > 0) {
                int[] ok = memo.get(top);
                if (ok == null) {
                    CompiledGrammar.IntList found = new CompiledGrammar.IntList();
                    TokenWalk.run(grammar, index, Position.single(top), m.dependent, null, (id, accepted, esc) -> {
                        if (accepted) {
                            found.add(id);
                        }
                    });
                    ok = found.toArray();
                    if (memo.size() >= 64) {
                        memo.clear();
                    }
                    memo.put(top, ok);
                }
                for (int id : ok) {
                    allowed[id >>> 6] |= 1L << (id & 63);
                }
            }
        }
    }

    /** Number of states whose token classes are cached (for tests and the benchmark). */
    public int cachedStates() {
        int n = 0;
        for (int i = 0; i < masks.length(); i++) {
            n += masks.get(i) == null ? 0 : 1;
        }
        return n;
    }

    private StateMask mask(int state) {
        StateMask m = masks.get(state);
        if (m == null) {
            String signature = grammar.leafSignature(state, 256);
            m = signature == null ? compute(state) : (StateMask) index.sharedMasks.get(signature, k -> compute(state));
            StateMask shared = interned.putIfAbsent(m, m);
            m = shared == null ? m : shared;
            masks.compareAndSet(state, null, m);
        }
        return m;
    }

    private StateMask compute(int state) {
        long[] accepted = new long[(index.vocabSize + 63) >>> 6];
        CompiledGrammar.IntList dependent = new CompiledGrammar.IntList();
        TokenWalk.Verdict verdict = (id, ok, esc) -> {
            if (ok) {
                accepted[id >>> 6] |= 1L << (id & 63);
            } else if (esc) {
                dependent.add(id);
            }
        };
        if (grammar.leaf[state]) {
            TokenWalk.runLeaf(grammar, index, state, verdict);
        } else {
            TokenWalk.run(grammar, index, Position.single(new Frame(state, null)), index.sorted, index.lcpPrev, verdict);
        }
        return new StateMask(accepted, dependent.toArray());
    }

    /** Context-independent accepted tokens and, in byte order, the context-dependent ones. */
    private record StateMask(long[] accepted, int[] dependent) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StateMask m && Arrays.equals(accepted, m.accepted) && Arrays.equals(dependent, m.dependent);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(accepted) + Arrays.hashCode(dependent);
        }
    }
}

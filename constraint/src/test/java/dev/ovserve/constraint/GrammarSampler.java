package dev.ovserve.constraint;

import dev.ovserve.constraint.grammar.Expr;
import dev.ovserve.constraint.grammar.Grammar;
import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;

/** Random strings of a grammar's language, derived straight from its expressions (not the automaton). */
final class GrammarSampler {
    private final Grammar grammar;
    private final SplittableRandom random;
    private int budget;

    GrammarSampler(Grammar grammar, SplittableRandom random) {
        this.grammar = grammar;
        this.random = random;
    }

    /** A random string, or null when the derivation ran past its size budget. */
    byte[] sample(int maxSteps) {
        budget = maxSteps;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            emit(Expr.ref(grammar.root()), out, 0);
        } catch (OutOfBudget e) {
            return null;
        }
        return out.toByteArray();
    }

    private static final class OutOfBudget extends RuntimeException {
        OutOfBudget() {
            super(null, null, false, false);
        }
    }

    private void emit(Expr e, ByteArrayOutputStream out, int depth) {
        if (--budget < 0 || depth > 60) {
            throw new OutOfBudget();
        }
        switch (e) {
            case Expr.ByteRange r -> out.write(r.lo() + random.nextInt(r.hi() - r.lo() + 1));
            case Expr.Seq s -> s.items().forEach(x -> emit(x, out, depth));
            case Expr.Alt a -> {
                if (a.items().isEmpty()) {
                    throw new OutOfBudget(); // matches nothing
                }
                emit(a.items().get(random.nextInt(a.items().size())), out, depth);
            }
            case Expr.Repeat r -> {
                int extra = r.max() < 0 ? geometric(depth) : random.nextInt(r.max() - r.min() + 1);
                int n = r.min() + (r.max() < 0 ? extra : Math.min(extra, 3 + random.nextInt(3)));
                for (int i = 0; i < n; i++) {
                    emit(r.item(), out, depth);
                }
            }
            case Expr.Ref ref -> emit(grammar.rules().get(ref.rule()), out, depth + 1);
        }
    }

    private int geometric(int depth) {
        int n = 0;
        double p = depth > 6 ? 0.2 : 0.6;
        while (random.nextDouble() < p && n < 8) {
            n++;
        }
        return n;
    }
}

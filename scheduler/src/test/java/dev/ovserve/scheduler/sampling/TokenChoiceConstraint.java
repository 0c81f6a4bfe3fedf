package dev.ovserve.scheduler.sampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A test-only constraint over token ids (the real engine matches bytes): the output must be one
 * of a few fixed token sequences, then an end token. Exact by construction, so tests can check
 * the sampler and the engine against it.
 */
public final class TokenChoiceConstraint implements TokenConstraint {
    private final List<int[]> choices;
    private final Set<Integer> endTokens;

    public TokenChoiceConstraint(List<int[]> choices, Set<Integer> endTokens) {
        this.choices = List.copyOf(choices);
        this.endTokens = Set.copyOf(endTokens);
    }

    public boolean matchesAChoice(int[] output) {
        return choices.stream().anyMatch(c -> Arrays.equals(c, output));
    }

    @Override
    public ConstraintState start() {
        return new State(new ArrayList<>());
    }

    @Override
    public String kind() {
        return "test_choice";
    }

    private final class State implements ConstraintState {
        private final List<Integer> taken;

        State(List<Integer> taken) {
            this.taken = taken;
        }

        private boolean extends_(int[] c) {
            if (c.length < taken.size()) {
                return false;
            }
            for (int i = 0; i < taken.size(); i++) {
                if (c[i] != taken.get(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void fillAllowed(long[] allowed) {
            Arrays.fill(allowed, 0);
            for (int[] c : choices) {
                if (extends_(c) && c.length > taken.size()) {
                    int t = c[taken.size()];
                    allowed[t >>> 6] |= 1L << t;
                }
            }
            if (canFinish()) {
                for (int t : endTokens) {
                    allowed[t >>> 6] |= 1L << t;
                }
            }
        }

        @Override
        public boolean advance(int token) {
            taken.add(token);
            if (choices.stream().anyMatch(this::extends_)) {
                return true;
            }
            taken.removeLast();
            return false;
        }

        @Override
        public boolean canFinish() {
            return choices.stream().anyMatch(c -> c.length == taken.size() && extends_(c));
        }

        @Override
        public boolean isComplete() {
            return canFinish() && choices.stream().noneMatch(c -> c.length > taken.size() && extends_(c));
        }

        @Override
        public ConstraintState copy() {
            return new State(new ArrayList<>(taken));
        }
    }
}

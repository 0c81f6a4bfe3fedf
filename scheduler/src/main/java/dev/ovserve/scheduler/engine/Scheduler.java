package dev.ovserve.scheduler.engine;

import dev.ovserve.scheduler.BlockCopy;
import dev.ovserve.scheduler.ModelStep;
import dev.ovserve.scheduler.SequenceChunk;
import dev.ovserve.scheduler.kv.BlockManager;
import dev.ovserve.scheduler.kv.PrefixHit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Iteration-level scheduling under a token budget: running decodes first, then running
 * prefills (chunked), then admission of waiting sequences, fair across clients: the next one
 * admitted is the oldest waiting sequence of the client holding the fewest running sequences
 * (ties go to queue order, so one client's own sequences stay first come, first served). When
 * blocks run out, the newest running sequence of the client holding the most is preempted (its
 * blocks freed, recomputed later from the front of the queue). Owned by the engine thread.
 */
final class Scheduler {
    private final SchedulerConfig config;
    private final BlockManager blocks;
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private long admissions;
    private long preemptions;

    Scheduler(SchedulerConfig config, BlockManager blocks) {
        this.config = config;
        this.blocks = blocks;
    }

    void enqueue(Sequence s) {
        s.status = Sequence.Status.WAITING;
        s.owner = this;
        waiting.addLast(s);
    }

    /**
     * Removes and returns every waiting sequence, in queue order, for another device to run:
     * none holds blocks (preempted ones were freed), so they move by recomputing.
     */
    List<Sequence> takeWaiting() {
        List<Sequence> out = new ArrayList<>(waiting);
        waiting.clear();
        return out;
    }

    /** Puts sequences taken from another device ahead of this one's queue, keeping their order. */
    void enqueueFirst(List<Sequence> sequences) {
        for (int i = sequences.size() - 1; i >= 0; i--) {
            Sequence s = sequences.get(i);
            s.status = Sequence.Status.WAITING;
            s.owner = this;
            waiting.addFirst(s);
        }
    }

    ScheduledStep schedule() {
        Plan plan = new Plan(config.maxNumBatchedTokens());
        for (Sequence s : List.copyOf(running)) {
            if (s.status == Sequence.Status.RUNNING && s.pending() == 1 && plan.budget > 0) {
                scheduleRunning(s, 1, plan);
            }
        }
        for (Sequence s : List.copyOf(running)) {
            if (s.status == Sequence.Status.RUNNING && s.pending() > 1 && plan.budget > 0 && !plan.has(s)) {
                scheduleRunning(s, Math.min(s.pending(), plan.budget), plan);
            }
        }
        admit(plan);
        return plan.build();
    }

    private void scheduleRunning(Sequence s, int n, Plan plan) {
        while (true) {
            if (blocks.allocate(s.id, PrefixHit.NONE, s.computed + n)) {
                List<BlockCopy> copies = blocks.prepareWrite(s.id, s.computed, s.computed + n);
                if (copies != null) {
                    plan.add(s, n, blocks.blockTable(s.id), copies);
                    return;
                }
            }
            Sequence victim = newestUnscheduled(plan, s);
            if (victim == null) {
                preempt(s);
                return;
            }
            preempt(victim);
        }
    }

    /** The victim: from the client holding the most running sequences, its newest one not in this step. */
    private Sequence newestUnscheduled(Plan plan, Sequence except) {
        Map<String, Integer> load = runningPerClient();
        Sequence victim = null;
        int victimLoad = 0;
        for (Sequence r : running) {
            if (r == except || plan.has(r)) {
                continue;
            }
            int l = load.get(client(r));
            if (victim == null || l > victimLoad || (l == victimLoad && r.admittedAt > victim.admittedAt)) {
                victim = r;
                victimLoad = l;
            }
        }
        return victim;
    }

    private void admit(Plan plan) {
        Map<String, Integer> load = runningPerClient();
        while (plan.budget > 0 && !waiting.isEmpty()) {
            Sequence s = nextFair(load);
            int siblings = s.request.forked ? 1 : s.request.request().params().n();
            if (running.size() + promisedSiblings() + siblings > config.maxNumSeqs() && !running.isEmpty()) {
                return;
            }
            PrefixHit hit = config.enablePrefixCaching() ? blocks.lookupPrefix(s.rawTokens(), s.length() - 1, s.request.request().cacheSalt())
                    : PrefixHit.NONE;
            int start = hit.tokens();
            int n = Math.min(s.length() - start, plan.budget);
            if (!blocks.allocate(s.id, hit, start + n)) {
                if (running.isEmpty() && plan.isEmpty()) {
                    // Alone with the whole cache free and still no room: it can never run.
                    waiting.remove(s);
                    plan.unservable.add(s);
                    continue;
                }
                return; // nobody overtakes the fair pick, so a long prompt is not starved by short ones
            }
            List<BlockCopy> copies = blocks.prepareWrite(s.id, start, start + n);
            if (copies == null) {
                blocks.free(s.id);
                return;
            }
            waiting.remove(s);
            load.merge(client(s), siblings, Integer::sum);
            if (s.outputLength() == 0 && !s.request.forked) {
                s.request.cachedPromptTokens = start;
            }
            s.computed = start;
            s.status = Sequence.Status.RUNNING;
            s.admittedAt = ++admissions;
            running.add(s);
            plan.add(s, n, blocks.blockTable(s.id), copies);
        }
    }

    /**
     * The first waiting sequence (queue order) of the client with the fewest sequences running,
     * counting siblings that running parents will fork.
     */
    private Sequence nextFair(Map<String, Integer> load) {
        Sequence best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (Sequence w : waiting) {
            int l = load.getOrDefault(client(w), 0);
            if (l < bestLoad) {
                best = w;
                bestLoad = l;
                if (l == 0) {
                    break;
                }
            }
        }
        return best;
    }

    /** Running sequences per client, plus the siblings not yet forked parents will add. */
    private Map<String, Integer> runningPerClient() {
        Map<String, Integer> load = new HashMap<>();
        for (Sequence r : running) {
            load.merge(client(r), r.request.forked ? 1 : r.request.request().params().n(), Integer::sum);
        }
        return load;
    }

    private static String client(Sequence s) {
        return s.request.request().client();
    }

    /** Siblings that running, not yet forked parents will add once their prompt is done. */
    private int promisedSiblings() {
        int promised = 0;
        for (Sequence r : running) {
            if (!r.request.forked) {
                promised += r.request.request().params().n() - 1;
            }
        }
        return promised;
    }

    private void preempt(Sequence s) {
        blocks.free(s.id);
        s.resetComputed();
        running.remove(s);
        s.status = Sequence.Status.WAITING;
        waiting.addFirst(s);
        preemptions++;
    }

    /** The planned tokens are now in the cache: register newly full blocks for prefix reuse. */
    void completed(ScheduledStep step) {
        List<SequenceChunk> chunks = step.step().chunks();
        for (int i = 0; i < chunks.size(); i++) {
            Sequence s = step.sequences().get(i);
            if (s.status != Sequence.Status.RUNNING) {
                continue; // finished or cancelled while the step ran
            }
            s.computed += chunks.get(i).tokens().length;
            blocks.markComputed(s.id, s.rawTokens(), s.computed, s.request.request().cacheSalt());
        }
    }

    /** A sibling for n > 1 shares its parent's blocks and runs right beside it. */
    void addForked(Sequence parent, Sequence child) {
        blocks.fork(parent.id, child.id);
        child.owner = this;
        running.add(running.indexOf(parent) + 1, child);
    }

    /** Finished, cancelled or failed: its blocks go back to the pool. */
    void remove(Sequence s) {
        blocks.free(s.id);
        if (s.status == Sequence.Status.RUNNING) {
            running.remove(s);
        } else if (s.status == Sequence.Status.WAITING) {
            waiting.remove(s);
        }
        s.status = Sequence.Status.FINISHED;
    }

    boolean idle() {
        return running.isEmpty() && waiting.isEmpty();
    }

    int runningCount() {
        return running.size();
    }

    int waitingCount() {
        return waiting.size();
    }

    long preemptions() {
        return preemptions;
    }

    BlockManager blocks() {
        return blocks;
    }

    private static final class Plan {
        int budget;
        final List<SequenceChunk> chunks = new ArrayList<>();
        final List<Sequence> sequences = new ArrayList<>();
        final List<BlockCopy> copies = new ArrayList<>();
        final List<Sequence> unservable = new ArrayList<>();
        final Set<Sequence> planned = new HashSet<>();

        Plan(int budget) {
            this.budget = budget;
        }

        void add(Sequence s, int n, int[] table, List<BlockCopy> blockCopies) {
            boolean sample = s.computed + n == s.length();
            chunks.add(new SequenceChunk(s.id, s.tokens(s.computed, s.computed + n), s.computed, table, sample));
            sequences.add(s);
            copies.addAll(blockCopies);
            planned.add(s);
            budget -= n;
        }

        boolean has(Sequence s) {
            return planned.contains(s);
        }

        boolean isEmpty() {
            return chunks.isEmpty();
        }

        ScheduledStep build() {
            return new ScheduledStep(new ModelStep(chunks, copies), sequences, unservable);
        }
    }
}

package dev.ovserve.scheduler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ovserve.scheduler.kv.BlockManager;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.Sampler;
import dev.ovserve.scheduler.sampling.SamplingParams;
import dev.ovserve.scheduler.sampling.TokenHistory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Admission and preemption across clients, on the real scheduler and block manager (no model). */
class SchedulerFairnessTest {
    private static final OutputSink NOWHERE = new OutputSink() {
        @Override
        public void onToken(int index, SampledToken token) {}

        @Override
        public void onFinish(int index, FinishReason reason) {}

        @Override
        public void onComplete(Usage usage) {}

        @Override
        public void onError(EngineError error) {}
    };

    private long nextId = 1;

    private Sequence sequence(String name, String client, int promptLength) {
        int[] prompt = new int[promptLength];
        for (int i = 0; i < promptLength; i++) {
            prompt[i] = (int) (nextId * 100 + i); // distinct prompts: no prefix sharing
        }
        SamplingParams p = SamplingParams.builder().maxTokens(16).build();
        RequestState state = new RequestState(new GenerationRequest(name, prompt, p, NOWHERE, client, null));
        return new Sequence(nextId++, state, 0, prompt, new Sampler(p), TokenHistory.ofPrompt(prompt));
    }

    private static List<String> names(ScheduledStep step) {
        return step.sequences().stream().map(s -> s.request.id()).toList();
    }

    /** Runs a step as the engine would: the planned tokens are computed, each finished prefill samples a token. */
    private static List<String> step(Scheduler scheduler) {
        ScheduledStep step = scheduler.schedule();
        scheduler.completed(step);
        for (Sequence s : step.sequences()) {
            if (s.status == Sequence.Status.RUNNING && s.pending() == 0) {
                s.append(7);
            }
        }
        return names(step);
    }

    @Test
    void aClientWithNothingRunningGoesAheadOfAnotherClientsBacklog() {
        Scheduler scheduler = new Scheduler(new SchedulerConfig(2, 1024, 256, 100, false), new BlockManager(64, 4, false));
        Sequence a1 = sequence("a1", "heavy", 4);
        Sequence a2 = sequence("a2", "heavy", 4);
        Sequence a3 = sequence("a3", "heavy", 4);
        Sequence b1 = sequence("b1", "normal", 4);
        Sequence b2 = sequence("b2", "normal", 4);
        for (Sequence s : List.of(a1, a2, a3, b1, b2)) {
            scheduler.enqueue(s);
        }
        // FCFS would admit a1 and a2; the second slot goes to the client with nothing running.
        assertEquals(List.of("a1", "b1"), step(scheduler));
        assertEquals(List.of("a1", "b1"), step(scheduler)); // both decoding, the cap is reached
        scheduler.remove(b1);
        // normal has nothing running again: b2 overtakes a2 and a3.
        assertEquals(List.of("a1", "b2"), step(scheduler));
        scheduler.remove(a1);
        // One running each would tie; heavy now holds none, so its oldest waiting sequence (a2, not a3) goes in.
        assertEquals(List.of("b2", "a2"), step(scheduler));
        scheduler.remove(b2);
        assertEquals(List.of("a2", "a3"), step(scheduler));
        scheduler.remove(a2);
        scheduler.remove(b2);
        scheduler.remove(a3);
        assertEquals(0, scheduler.blocks().usedBlocks());
        scheduler.blocks().checkInvariants();
    }

    @Test
    void whenBlocksRunOutTheClientHoldingTheMostLosesItsNewestSequence() {
        // 6 blocks of 4 tokens; three 8-token prompts take 2 blocks each, so the first decode needs a victim.
        Scheduler scheduler = new Scheduler(new SchedulerConfig(8, 1024, 256, 100, false), new BlockManager(6, 4, false));
        Sequence b1 = sequence("b1", "normal", 8);
        Sequence a1 = sequence("a1", "heavy", 8);
        Sequence a2 = sequence("a2", "heavy", 8);
        for (Sequence s : List.of(b1, a1, a2)) {
            scheduler.enqueue(s);
        }
        assertEquals(List.of("b1", "a1", "a2"), step(scheduler));
        assertEquals(0, scheduler.blocks().freeBlocks());
        // b1 decodes first and needs a third block: the victim is heavy's newest (a2), although b1 is older.
        assertEquals(List.of("b1", "a1"), step(scheduler));
        assertEquals(Sequence.Status.WAITING, a2.status);
        assertEquals(0, a2.computed);
        assertEquals(1, scheduler.preemptions());
        assertEquals(3, scheduler.blocks().ownedBlocks(b1.id));
        assertEquals(3, scheduler.blocks().ownedBlocks(a1.id));
        assertEquals(0, scheduler.blocks().ownedBlocks(a2.id));
        scheduler.blocks().checkInvariants();
    }
}

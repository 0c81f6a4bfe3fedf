package dev.ovserve.scheduler.engine;

import dev.ovserve.scheduler.ModelStep;
import java.util.List;

/** A step as planned: the model's input plus which sequence each chunk belongs to. */
record ScheduledStep(ModelStep step, List<Sequence> sequences, List<Sequence> unservable) {
    boolean isEmpty() {
        return step.chunks().isEmpty();
    }
}

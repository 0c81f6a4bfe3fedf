package dev.ovserve.scheduler.engine;

/** A submitted request while the engine works on it: its n sequences and what they produced. */
final class RequestState {
    private final GenerationRequest request;
    private int unfinished;
    int completionTokens;
    int cachedPromptTokens;
    boolean forked;
    /** Counted out of the engine's waiting-queue limit. */
    boolean admitted;
    boolean done;
    final long submittedNanos;

    RequestState(GenerationRequest request) {
        this.request = request;
        this.unfinished = request.params().n();
        this.submittedNanos = System.nanoTime();
    }

    String id() {
        return request.id();
    }

    GenerationRequest request() {
        return request;
    }

    /** Returns true when this was the last unfinished sequence. */
    boolean finishOne() {
        return --unfinished == 0;
    }

    Usage usage() {
        return new Usage(request.promptTokens().length, completionTokens, cachedPromptTokens);
    }
}

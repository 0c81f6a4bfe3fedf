package dev.ovserve.loadtest;

import java.util.List;

/** Streamed /v1/completions: time to first event and full-stream time. */
public class StreamingCompletionsSimulation extends LoadSimulation {
    public StreamingCompletionsSimulation() {
        super("completion stream", OpenAiCalls.streamCompletion(), LoadSettings.fromSystemProperties(), List.of("completion stream"));
    }
}

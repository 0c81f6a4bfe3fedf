package dev.ovserve.loadtest;

import java.util.List;

/** Non-streaming /v1/completions. */
public class CompletionsSimulation extends LoadSimulation {
    public CompletionsSimulation() {
        super("completion", OpenAiCalls.completion(), LoadSettings.fromSystemProperties(), List.of());
    }
}

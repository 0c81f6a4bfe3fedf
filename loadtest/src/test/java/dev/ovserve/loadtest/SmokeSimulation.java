package dev.ovserve.loadtest;

import static io.gatling.javaapi.core.CoreDsl.uniformRandomSwitch;

import io.gatling.javaapi.core.CoreDsl;
import java.util.List;
import java.util.Map;

/**
 * One minute of every call kind at once (streamed and plain completions and chat, a fifth of
 * the streams abandoned mid-way) on short prompts: CI runs it against a live server and fails
 * on any error.
 */
public class SmokeSimulation extends LoadSimulation {
    public SmokeSimulation() {
        super("smoke",
                CoreDsl.exec(uniformRandomSwitch().on(OpenAiCalls.completion(), OpenAiCalls.streamCompletion(), OpenAiCalls.chat(),
                        OpenAiCalls.streamChat())),
                LoadSettings.fromSystemProperties(Map.of("users", "4", "durationSeconds", "60", "mix", "8:8:2,32:16:2,128:4:1",
                        "disconnectShare", "0.2", "firstEventP95Ms", "5000", "fullStreamP95Ms", "20000")),
                List.of("completion stream", "chat stream"));
    }
}

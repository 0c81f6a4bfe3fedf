package dev.ovserve.loadtest;

import static io.gatling.javaapi.core.CoreDsl.uniformRandomSwitch;

import io.gatling.javaapi.core.CoreDsl;
import java.util.List;

/** /v1/chat/completions, half streamed and half not. */
public class ChatSimulation extends LoadSimulation {
    public ChatSimulation() {
        super("chat", CoreDsl.exec(uniformRandomSwitch().on(OpenAiCalls.chat(), OpenAiCalls.streamChat())),
                LoadSettings.fromSystemProperties(), List.of("chat stream"));
    }
}

package dev.ovserve.loadtest;

import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;

import io.gatling.javaapi.core.CoreDsl;
import java.util.List;
import java.util.Map;

/**
 * Ten minutes of open arrivals, meant to run at about twice the rate the server sustains, with a
 * fifth of the streams abandoned mid-way. Refusals (429 when the waiting queue is full, 503 while
 * shutting down) are the documented answer to overload, so this simulation does not fail on them;
 * {@code loadtest/soak-report.py} judges the run from the server's own counts.
 */
public class SoakSimulation extends LoadSimulation {
    public SoakSimulation() {
        super("soak",
                CoreDsl.exec(randomSwitch().on(
                        percent(50).then(OpenAiCalls.streamCompletion()),
                        percent(25).then(OpenAiCalls.streamChat()),
                        percent(15).then(OpenAiCalls.completion()),
                        percent(10).then(OpenAiCalls.chat()))),
                LoadSettings.fromSystemProperties(Map.of("workload", "open", "rate", "10", "durationSeconds", "600",
                        "mix", "128:128", "disconnectShare", "0.2")),
                List.of(), true);
    }
}

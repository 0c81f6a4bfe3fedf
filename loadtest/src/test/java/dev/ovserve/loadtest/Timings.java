package dev.ovserve.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every call's own timings, written as CSV when the simulation ends (to the {@code timingsFile}
 * property, set by gatling.sh), so the performance tables and plots are computed from per-request
 * figures the same way for ovserve and its peers. Gatling's HTML report stays the human view.
 */
final class Timings {
    /** One call: when it started, when its first event came (streams), when it ended, in ms since the run began. */
    record Call(String kind, boolean ok, boolean hungUp, int promptTokens, int maxTokens, double startMs, double firstEventMs,
            double endMs) {}

    private static final long ORIGIN = System.nanoTime();
    private static final ConcurrentLinkedQueue<Call> CALLS = new ConcurrentLinkedQueue<>();

    private Timings() {}

    static double nowMs() {
        return (System.nanoTime() - ORIGIN) / 1e6;
    }

    static void add(Call call) {
        CALLS.add(call);
    }

    static void write() {
        String file = System.getProperty("timingsFile", "");
        if (file.isBlank()) {
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add("kind,ok,hung_up,prompt_tokens,max_tokens,start_ms,first_event_ms,end_ms");
        for (Call c : CALLS) {
            lines.add("%s,%b,%b,%d,%d,%.3f,%s,%.3f".formatted(c.kind(), c.ok(), c.hungUp(), c.promptTokens(), c.maxTokens(),
                    c.startMs(), Double.isNaN(c.firstEventMs()) ? "" : "%.3f".formatted(c.firstEventMs()), c.endMs()));
        }
        try {
            Files.write(Path.of(file), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

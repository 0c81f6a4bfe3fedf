package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.engine.SchedulerConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's heavy valid client: one connection looping requests that each fill
 * {@code --max-num-seqs} many times over. The engine admits waiting sequences fairly across
 * clients, so a normal request waits for one heavy sequence to finish, not for the heavy
 * client's whole backlog (as it did first come, first served).
 */
class FairShareTest {
    static final int MAX_NUM_SEQS = 4;
    static final int HEAVY_PROMPTS = 32;
    static final String NORMAL = "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":4,\"ignore_eos\":true}";
    static final String HEAVY = "{\"model\":\"tiny\",\"prompt\":[" + "[5],".repeat(HEAVY_PROMPTS - 1)
            + "[5]],\"max_tokens\":50,\"ignore_eos\":true}";

    @Test
    void aNormalRequestWaitsForOneHeavySequenceNotForTheHeavyClientsBacklog() throws Exception {
        // Paced steps (at least 5 ms) keep the proportions of the timings stable on a busy machine.
        try (TinyServer server = TinyServer.start(new SchedulerConfig(MAX_NUM_SEQS, 512, TinyServer.MAX_MODEL_LEN, 64, true),
                null, false, Duration.ofMillis(5))) {
            HttpClient normalClient = Http.client();
            long[] alone = new long[7];
            for (int i = 0; i < alone.length; i++) {
                long t0 = System.nanoTime();
                assertEquals(200, Http.post(normalClient, server, "/v1/completions", NORMAL).status());
                alone[i] = System.nanoTime() - t0;
            }
            long usual = java.util.Arrays.stream(alone).sorted().toArray()[alone.length / 2]; // the first ones warm up

            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Long> heavyNanos = new ConcurrentLinkedQueue<>();
            AtomicReference<String> heavyFailure = new AtomicReference<>();
            Thread heavy = Thread.ofVirtual().start(() -> {
                HttpClient own = Http.client();
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        Http.Reply r = Http.post(own, server, "/v1/completions", HEAVY);
                        if (r.status() != 200) {
                            heavyFailure.set(r.toString());
                            return;
                        }
                    } catch (Exception e) {
                        heavyFailure.set(e.toString());
                        return;
                    }
                    heavyNanos.add(System.nanoTime() - t0);
                }
            });
            java.util.List<Long> normal = new java.util.ArrayList<>();
            try {
                Thread.sleep(100); // the heavy client's first request is in
                while (heavyNanos.size() < 2 && heavyFailure.get() == null) {
                    long t0 = System.nanoTime();
                    Http.Reply r = Http.post(normalClient, server, "/v1/completions", NORMAL);
                    assertEquals(200, r.status(), r::toString);
                    normal.add(System.nanoTime() - t0);
                }
            } finally {
                stop.set(true);
                heavy.join();
            }
            assertEquals(null, heavyFailure.get());
            long heavyTime = heavyNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
            // The heavy request runs in HEAVY_PROMPTS / MAX_NUM_SEQS waves; a normal request should
            // wait about one wave. First come, first served made it wait for most of the backlog.
            // Bounds are generous (the machine is shared): the median within two waves, the worst
            // within half a heavy request.
            long oneWave = heavyTime / (HEAVY_PROMPTS / MAX_NUM_SEQS);
            assertTrue(normal.size() >= 3, "only " + normal.size() + " normal requests ran beside the heavy client");
            java.util.Collections.sort(normal);
            String seen = "normal requests took " + normal.stream().map(n -> n / 1_000_000 + " ms").toList()
                    + " beside a heavy client whose requests take " + heavyTime / 1_000_000 + " ms (usual " + usual / 1_000_000 + " ms)";
            assertTrue(normal.get(normal.size() / 2) <= 2 * oneWave + 3 * usual, seen);
            assertTrue(normal.getLast() <= heavyTime / 2 + 3 * usual, seen);
            server.awaitIdle(Duration.ofSeconds(10));
        }
    }
}

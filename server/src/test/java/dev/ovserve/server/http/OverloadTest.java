package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.engine.SchedulerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server that runs one sequence at a time and lets one more wait: a burst of concurrent
 * requests gets some 429s with Retry-After, never a 5xx, and the server serves normally after.
 */
class OverloadTest {
    static TinyServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = TinyServer.start(new SchedulerConfig(1, 512, TinyServer.MAX_MODEL_LEN, 1, true), null, new Limits(1 << 20, 3));
        http = Http.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aFullWaitingQueueAnswers429WithRetryAfter() throws Exception {
        int burst = 12;
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            boolean stream = i % 2 == 1;
            String body = i % 3 == 2
                    ? "{\"messages\":[{\"role\":\"user\",\"content\":\"burst " + i + "\"}],\"max_tokens\":24,\"ignore_eos\":true,\"stream\":" + stream + "}"
                    : "{\"prompt\":[" + (i + 1) + ",2,3],\"max_tokens\":24,\"ignore_eos\":true,\"stream\":" + stream + "}";
            String path = i % 3 == 2 ? "/v1/chat/completions" : "/v1/completions";
            replies.add(http.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int tooMany = 0;
        for (CompletableFuture<HttpResponse<String>> f : replies) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            Http.assertNoStackTrace(r.body());
            assertTrue(r.statusCode() < 500, () -> "no 5xx: " + r.statusCode() + " " + r.body());
            if (r.statusCode() == 429) {
                tooMany++;
                assertEquals("3", r.headers().firstValue("retry-after").orElse(null), "Retry-After as configured");
                Http.assertError(new Http.Reply(r.statusCode(), r.headers(), r.body()), 429);
            } else {
                assertEquals(200, r.statusCode(), r::body);
                ok++;
                if (r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
                    assertTrue(r.body().endsWith("data: [DONE]\n\n"), r::body);
                    assertTrue(!r.body().contains("\"error\""), () -> "a complete stream, not an error event: " + r.body());
                }
            }
        }
        assertTrue(tooMany >= 1, "at least one 429 in a burst of " + burst + " (ok " + ok + ")");
        assertTrue(ok >= 1, "the request being served still completes");

        assertEquals(0, server.awaitIdle(Duration.ofSeconds(20)).usedBlocks());
        Http.Reply after = Http.post(http, server, "/v1/completions", "{\"prompt\":\"calm again\",\"max_tokens\":3}");
        assertEquals(200, after.status(), after::body);
    }
}

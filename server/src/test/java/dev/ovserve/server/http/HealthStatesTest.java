package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/**
 * /health (readiness: 200 only when ready, else 503 with "status" loading, draining or failed)
 * and /health/live (liveness: 503 only when the engine has failed), on a live server.
 */
class HealthStatesTest {
    @Test
    void loadingThenReadyThenDrainingAfterShutdownBegins() throws Exception {
        HttpClient http = Http.client();
        try (TinyServer server = TinyServer.startLoading()) {
            Http.Reply loading = Http.get(http, server, "/health");
            assertEquals(503, loading.status(), loading::body);
            assertEquals("loading", loading.json().path("status").asText());
            assertEquals("tiny", loading.json().path("model").asText(), "the usual fields stay");
            assertEquals(200, Http.get(http, server, "/health/live").status(), "alive while loading");

            server.app.markReady();
            Http.Reply ready = Http.get(http, server, "/health");
            assertEquals(200, ready.status(), ready::body);
            assertEquals("ready", ready.json().path("status").asText());
            assertEquals(0, ready.json().path("devices").get(0).path("kv_blocks_used").asInt());

            // A long request keeps the shutdown draining; a probe's connection is opened beforehand.
            try (Socket generating = Http.connect(server); Socket probe = Http.connect(server)) {
                Http.writeRequest(generating.getOutputStream(), "POST", "/v1/completions", server,
                        "{\"prompt\":\"hi\",\"n\":64,\"max_tokens\":80,\"ignore_eos\":true}");
                long deadline = System.currentTimeMillis() + 10_000;
                while (server.app.inFlight() == 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(1, server.app.inFlight());
                Thread shutdown = Thread.ofVirtual().start(() -> server.app.shutdown(60_000));
                while (server.app.health() != ApiContext.Health.DRAINING && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                InputStream in = probe.getInputStream();
                Http.writeRequest(probe.getOutputStream(), "GET", "/health", server, null);
                Http.RawReply draining = Http.readResponse(in);
                assertEquals(503, draining.status(), draining::text);
                JsonNode body = Http.JSON.readTree(draining.body());
                assertEquals("draining", body.path("status").asText());
                Http.writeRequest(probe.getOutputStream(), "GET", "/health/live", server, null);
                assertEquals(200, Http.readResponse(in).status(), "alive while draining");

                Http.RawReply finished = Http.readResponse(generating.getInputStream());
                assertEquals(200, finished.status(), "the request in flight finishes during the drain");
                assertEquals(64, Http.JSON.readTree(finished.body()).path("choices").size());
                shutdown.join();
            }
        }
    }

    @Test
    void aStoppedEngineIsFailedForBothProbes() throws Exception {
        HttpClient http = Http.client();
        try (TinyServer server = TinyServer.start()) {
            server.engine.close();
            Http.Reply health = Http.get(http, server, "/health");
            assertEquals(503, health.status());
            assertEquals("failed", health.json().path("status").asText());
            Http.Reply live = Http.get(http, server, "/health/live");
            assertEquals(503, live.status());
            assertTrue(live.body().contains("failed"), live::body);
        }
    }
}

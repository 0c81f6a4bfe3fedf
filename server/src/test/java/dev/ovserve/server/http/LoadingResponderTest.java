package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What probes and clients see on the port while `serve` loads its model, and that the port is freed after. */
class LoadingResponderTest {
    private static HttpResponse<String> send(HttpClient client, int port, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"hi\"}")) : b.GET();
        return client.send(b.header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void probesSeeLoadingAndTheRealServerCanTakeThePortAfter() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        HttpClient client = HttpClient.newHttpClient();
        try (LoadingResponder loading = LoadingResponder.start("127.0.0.1", port)) {
            HttpResponse<String> health = send(client, loading.port(), "GET", "/health");
            assertEquals(503, health.statusCode());
            assertEquals("{\"status\":\"loading\"}", health.body());
            HttpResponse<String> live = send(client, port, "GET", "/health/live");
            assertEquals(200, live.statusCode(), "alive while loading: a liveness probe must not restart it");
            HttpResponse<String> completion = send(client, port, "POST", "/v1/completions");
            assertEquals(503, completion.statusCode());
            assertEquals("5", completion.headers().firstValue("retry-after").orElseThrow());
            assertTrue(completion.body().contains("\"code\":\"model_loading\""), completion.body());
        }
        try (ServerSocket reuse = new ServerSocket()) {
            reuse.setReuseAddress(true);
            reuse.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            assertEquals(port, reuse.getLocalPort(), "the port is free for the real server");
        }
    }
}

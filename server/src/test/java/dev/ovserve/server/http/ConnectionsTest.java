package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovserve.scheduler.engine.EngineStats;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import dev.ovserve.scheduler.engine.SchedulerConfig;
import org.junit.jupiter.api.Test;

/**
 * What happens on the connections: clients that vanish mid-stream free their KV blocks, keep-alive
 * and pipelining keep responses in order, slow readers still get every byte, and /metrics and
 * /health report on it all.
 */
class ConnectionsTest {
    static TinyServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = TinyServer.start();
        http = Http.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String streamBody(int seed, int maxTokens, boolean chat) {
        String common = ",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true,\"stream\":true,\"temperature\":0}";
        return chat
                ? "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"client " + seed + "\"}]" + common
                : "{\"model\":\"tiny\",\"prompt\":[" + (seed % 300) + "," + (seed * 7 % 300) + ",5]" + common;
    }

    @Test
    void fiftyClientsLeavingMidStreamFreeEveryBlock() throws Exception {
        int clients = 50;
        int maxTokens = TinyServer.MAX_MODEL_LEN - 40;
        EngineStats before = server.engine.stats();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int id = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket s = Http.connect(server)) {
                    Http.writeRequest(s.getOutputStream(), "POST", id % 3 == 0 ? "/v1/chat/completions" : "/v1/completions",
                            server, streamBody(id, maxTokens, id % 3 == 0));
                    if (id % 5 == 4) {
                        return; // leaves before any answer: cancelled while waiting or in prefill
                    }
                    InputStream in = s.getInputStream();
                    String status = Http.readLine(in);
                    if (status == null || !status.contains(" 200 ")) {
                        throw new AssertionError("client " + id + ": " + status);
                    }
                    int events = id % 2 == 0 ? 1 : 3;
                    for (String line = Http.readLine(in); events > 0; line = Http.readLine(in)) {
                        if (line == null) {
                            throw new AssertionError("client " + id + ": stream ended early");
                        }
                        if (line.startsWith("data: ")) {
                            events--;
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    done.countDown();
                }
            }));
        }
        assertTrue(done.await(60, TimeUnit.SECONDS), "clients finished");
        assertTrue(failures.isEmpty(), () -> "client failures: " + failures);

        EngineStats idle = server.awaitIdle(Duration.ofSeconds(20));
        assertEquals(0, idle.usedBlocks(), () -> "every KV block is free again: " + idle);
        assertEquals(idle.totalBlocks(), idle.freeBlocks(), () -> "free blocks return to the total: " + idle);
        assertEquals(0, idle.running(), idle::toString);
        assertEquals(0, idle.waiting(), idle::toString);
        assertEquals(0, server.app.inFlight(), "no request left in flight");
        long generated = idle.generatedTokens() - before.generatedTokens();
        assertTrue(generated < (long) clients * maxTokens / 2,
                "the requests were cancelled, not run to the end: " + generated + " tokens generated");

        Http.Reply after = Http.post(http, server, "/v1/completions", "{\"prompt\":\"after\",\"max_tokens\":4,\"ignore_eos\":true}");
        assertEquals(200, after.status(), after::body);
        assertEquals(4, after.json().path("usage").path("completion_tokens").asInt());
    }

    @Test
    void nonStreamingClientsLeavingAlsoFreeTheirBlocks() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket s = Http.connect(server);
            Http.writeRequest(s.getOutputStream(), "POST", "/v1/completions", server,
                    "{\"prompt\":[1,2," + i + "],\"max_tokens\":" + (TinyServer.MAX_MODEL_LEN - 10) + ",\"ignore_eos\":true,\"n\":2}");
            sockets.add(s);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.engine.stats().running() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        for (Socket s : sockets) {
            s.close();
        }
        EngineStats idle = server.awaitIdle(Duration.ofSeconds(20));
        assertEquals(0, idle.usedBlocks(), idle::toString);
        assertEquals(0, server.app.inFlight());
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        try (Socket s = Http.connect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            Http.writeRequest(out, "POST", "/v1/completions", server, "{\"prompt\":\"one\",\"max_tokens\":3}");
            Http.RawReply first = Http.readResponse(in);
            assertEquals(200, first.status(), first::text);
            Http.writeRequest(out, "POST", "/v1/completions", server, streamBody(1, 5, false));
            Http.RawReply second = Http.readResponse(in);
            assertEquals(200, second.status());
            assertTrue(second.text().endsWith("data: [DONE]\n\n"), second::text);
            Http.writeRequest(out, "POST", "/v1/completions", server, "{\"prompt\":\"x\",\"temperature\":-1}");
            Http.RawReply third = Http.readResponse(in);
            assertEquals(400, third.status(), "an error keeps the connection too");
            Http.writeRequest(out, "GET", "/v1/models", server, null);
            Http.RawReply fourth = Http.readResponse(in);
            assertEquals(200, fourth.status());
            assertEquals("tiny", Http.JSON.readTree(fourth.body()).path("data").get(0).path("id").asText());
        }
    }

    @Test
    void httpClientReusesItsConnection() throws Exception {
        try (CountingProxy proxy = new CountingProxy(server.port())) {
            HttpClient client = Http.client();
            String base = "http://127.0.0.1:" + proxy.port();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(i == 1 ? streamBody(i, 4, false) : "{\"prompt\":\"ka\",\"max_tokens\":2}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r::body);
            }
            assertEquals(1, proxy.accepted.get(), "three sequential requests, one connection");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (Socket s = Http.connect(server)) {
            String a = streamBody(11, 30, false);
            String b = "{\"prompt\":[4,5,6],\"max_tokens\":3}";
            byte[] ab = a.getBytes(StandardCharsets.UTF_8);
            byte[] bb = b.getBytes(StandardCharsets.UTF_8);
            // Both requests in one write: they reach the server in the same read.
            String both = Http.request("POST", "/v1/completions", server, "application/json", ab) + a
                    + Http.request("POST", "/v1/completions", server, "application/json", bb) + b;
            s.getOutputStream().write(both.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            Http.RawReply first = Http.readResponse(s.getInputStream());
            assertEquals(200, first.status());
            assertTrue(first.headers().getOrDefault("content-type", "").startsWith("text/event-stream"), first.headers()::toString);
            assertTrue(first.text().endsWith("data: [DONE]\n\n"), first::text);
            for (String event : first.text().split("\n\n")) {
                assertTrue(event.startsWith("data: "), () -> "an SSE event: " + event);
            }
            Http.RawReply second = Http.readResponse(s.getInputStream());
            assertEquals(200, second.status(), second::text);
            assertEquals("text_completion", Http.JSON.readTree(second.body()).path("object").asText(), second::text);
        }
    }

    @Test
    void requestsPipelinedBehindAGenerationAreAllAnsweredInOrder() throws Exception {
        try (Socket s = Http.connect(server)) {
            byte[] a = "{\"prompt\":[4,5,6],\"max_tokens\":5,\"ignore_eos\":true}".getBytes(StandardCharsets.UTF_8);
            String all = Http.request("POST", "/v1/completions", server, "application/json", a) + new String(a, StandardCharsets.UTF_8)
                    + Http.request("GET", "/health", server, null, null)
                    + Http.request("GET", "/v1/models", server, null, null)
                    + Http.request("GET", "/nowhere", server, null, null);
            s.getOutputStream().write(all.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            assertEquals("text_completion", Http.JSON.readTree(Http.readResponse(in).body()).path("object").asText());
            assertEquals("ready", Http.JSON.readTree(Http.readResponse(in).body()).path("status").asText());
            assertEquals("list", Http.JSON.readTree(Http.readResponse(in).body()).path("object").asText());
            assertEquals(404, Http.readResponse(in).status());
        }
    }

    @Test
    void aRefusalOnAConnectionThatClosesIsCountedOnce() throws Exception {
        try (TinyServer refusing = TinyServer.start(new SchedulerConfig(32, 512, TinyServer.MAX_MODEL_LEN, 0, true), null, Limits.DEFAULT);
             Socket s = Http.connect(refusing)) {
            byte[] a = "{\"prompt\":[4,5,6],\"max_tokens\":5}".getBytes(StandardCharsets.UTF_8);
            StringBuilder all = new StringBuilder(Http.request("POST", "/v1/completions", refusing, "application/json", a)
                    + new String(a, StandardCharsets.UTF_8));
            for (int i = 0; i < 17; i++) { // one more than the pipelining queue holds: the server closes
                all.append(Http.request("GET", "/health", refusing, null, null));
            }
            s.getOutputStream().write(all.toString().getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (s.getInputStream().read() >= 0 && System.nanoTime() < deadline) {
                // drain until the server closes
            }
            Thread.sleep(200);
            assertEquals(0, refusing.app.inFlight(), "nothing in flight, and never below zero");
        }
    }

    @Test
    void aClientThatReadsLateStillGetsEveryChoiceInFull() throws Exception {
        // 32 prompts x n=4 x 100 tokens with 20 logprobs each: ~10 MB of events, far more than the
        // socket buffers and Netty's high-water mark, while the client reads nothing until
        // generation is over.
        int prompts = 32;
        int n = 4;
        int maxTokens = 100;
        String promptList = IntStream.range(0, prompts).mapToObj(p -> "[" + (p + 1) + "," + (p * 3 + 2) + ",9]")
                .collect(Collectors.joining(","));
        String body = "{\"prompt\":[" + promptList + "],\"n\":" + n + ",\"max_tokens\":" + maxTokens
                + ",\"logprobs\":20,\"ignore_eos\":true,\"temperature\":0,\"stream\":true}";
        long generatedBefore = server.engine.stats().generatedTokens();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            s.setSoTimeout(30_000);
            Http.writeRequest(s.getOutputStream(), "POST", "/v1/completions", server, body);
            // Wait (bounded) for generation to end, so the server must hold the tail for this slow client.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long expected = (long) prompts * n * maxTokens;
            while ((server.engine.stats().generatedTokens() - generatedBefore < expected || server.engine.stats().running() > 0)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(300); // let the event loop take the last callbacks
            Http.RawReply r = Http.readResponse(s.getInputStream());
            assertEquals(200, r.status());
            String text = r.text();
            assertTrue(text.endsWith("data: [DONE]\n\n"), "ends with [DONE]");
            Map<Integer, Integer> tokens = new HashMap<>();
            Map<Integer, String> reasons = new HashMap<>();
            for (String event : text.split("\n\n")) {
                String data = event.substring("data: ".length());
                if (data.equals("[DONE]")) {
                    continue;
                }
                for (JsonNode c : Http.JSON.readTree(data).path("choices")) {
                    int index = c.path("index").asInt();
                    tokens.merge(index, c.path("logprobs").path("tokens").size(), Integer::sum);
                    if (c.hasNonNull("finish_reason")) {
                        reasons.put(index, c.get("finish_reason").asText());
                    }
                }
            }
            assertEquals(prompts * n, reasons.size(), () -> "every choice finished in the stream; missing: "
                    + IntStream.range(0, prompts * n).filter(i -> !reasons.containsKey(i)).boxed().toList());
            for (int i = 0; i < prompts * n; i++) {
                assertEquals(maxTokens, tokens.getOrDefault(i, 0), "choice " + i + " got every token");
            }
        }
        assertEquals(0, server.awaitIdle(Duration.ofSeconds(10)).usedBlocks());
    }

    @Test
    void metricsAndHealthReportOnTraffic() throws Exception {
        Sse.postOk(http, server, "/v1/completions", streamBody(3, 4, false));
        Http.Reply ok = Http.post(http, server, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"m\"}],\"max_tokens\":2,\"ignore_eos\":true}");
        assertEquals(200, ok.status());
        Http.assertError(Http.post(http, server, "/v1/completions", "{\"prompt\":\"x\",\"n\":0}"), 400);

        Http.Reply health = Http.get(http, server, "/health");
        assertEquals(200, health.status(), health::body);
        assertEquals("ready", health.json().path("status").asText(), health::body);

        Http.Reply metrics = Http.get(http, server, "/metrics");
        assertEquals(200, metrics.status());
        assertTrue(metrics.header("content-type").startsWith("text/plain"), metrics.header("content-type"));
        String m = metrics.body();
        assertTrue(m.contains("ovserve_requests_total"), m);
        assertTrue(value(m, "ovserve_requests_total{endpoint=\"/v1/completions\",status=\"200\"}") >= 1, m);
        assertTrue(value(m, "ovserve_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"}") >= 1, m);
        assertTrue(value(m, "ovserve_requests_total{endpoint=\"/v1/completions\",status=\"400\"}") >= 1, m);
        assertTrue(value(m, "ovserve_time_to_first_token_seconds_count") > 0, m);
        assertTrue(value(m, "ovserve_e2e_request_latency_seconds_count") > 0, m);
        assertTrue(value(m, "ovserve_generation_tokens_total") >= 6, m);
        assertTrue(value(m, "ovserve_prompt_tokens_total") > 0, m);
        assertEquals(server.engine.stats().totalBlocks(), value(m, "ovserve_kv_cache_blocks_total"), 0.0, m);
        for (String line : m.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                String v = line.substring(line.lastIndexOf(' ') + 1);
                assertFalse(Double.isNaN(Double.parseDouble(v)), () -> "a number: " + line);
            }
        }
    }

    /** The value of the sample whose name and labels are exactly {@code series}. */
    static double value(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        throw new AssertionError("no series " + series + " in\n" + exposition);
    }
}

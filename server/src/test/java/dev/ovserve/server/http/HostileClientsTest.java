package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The attacks of issue 13, each with real sockets against a live server, scaled down where the
 * behaviour is the same. For each: the refusal it deserves (a 400 naming the limit, a 408, a 429,
 * a 413), normal traffic answered within its usual time while the attack runs, and afterwards
 * the engine still serving with every KV block back ({@link #engineServingAndEveryBlockBack}).
 */
class HostileClientsTest {
    static final String COMPLETIONS = "/v1/completions";
    static final String NORMAL = "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":4}";
    static final int BODY_LIMIT = 1 << 20;
    static final long PENDING_TOKENS = 3000;
    static final int MAX_CONNECTIONS = 40;

    static TinyServer server;
    static HttpClient http;
    /** A normal request's usual time on this (busy) machine, measured before any attack. */
    static Duration usual;

    @BeforeAll
    static void start() throws Exception {
        Limits limits = new Limits(BODY_LIMIT, 1)
                .withPendingTokens(PENDING_TOKENS)
                .withConnections(MAX_CONNECTIONS, 3, 1, 2, 16);
        server = TinyServer.start(TinyServer.defaultConfig(), null, limits);
        http = Http.client();
        long worst = 0;
        for (int i = 0; i < 8; i++) {
            long t0 = System.nanoTime();
            assertEquals(200, Http.post(http, server, COMPLETIONS, NORMAL).status());
            worst = Math.max(worst, System.nanoTime() - t0);
        }
        usual = Duration.ofNanos(worst);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void engineServingAndEveryBlockBack() throws Exception {
        assertEquals(200, Http.post(http, server, COMPLETIONS, NORMAL).status());
        server.awaitIdle(Duration.ofSeconds(10));
        JsonNode health = Http.get(http, server, "/health").json();
        assertEquals("ready", health.path("status").asText(), health::toString);
        assertEquals(0, health.path("devices").get(0).path("kv_blocks_used").asInt(), health::toString);
    }

    // ---- 1. one request asking for millions of completions

    @Test
    void aHugeFanOutIsRefusedByItsShapeAndStarvesNoOne() throws Exception {
        String fanOut = "{\"prompt\":[" + "[1],".repeat(19_999) + "[1]],\"n\":128,\"max_tokens\":1}";
        String manyChoices = "{\"prompt\":[" + "[1],".repeat(99) + "[1]],\"n\":128,\"max_tokens\":1}";
        String longOutput = "{\"prompt\":[" + "[1],".repeat(99) + "[1]],\"n\":2,\"max_tokens\":100}";
        try (NormalTraffic normal = NormalTraffic.start()) {
            for (int round = 0; round < 3; round++) {
                List<Thread> attackers = new ArrayList<>();
                ConcurrentLinkedQueue<Http.Reply> replies = new ConcurrentLinkedQueue<>();
                for (String body : List.of(fanOut, fanOut, fanOut, manyChoices, longOutput)) {
                    attackers.add(Thread.ofVirtual().start(() -> replies.add(post(body))));
                }
                for (Thread t : attackers) {
                    t.join();
                }
                for (Http.Reply r : replies) {
                    JsonNode e = Http.assertError(r, 400);
                    assertEquals("limit_exceeded", e.path("code").asText(), r::body);
                    String message = e.path("message").asText();
                    assertTrue(message.contains("--max-prompts-per-request") || message.contains("--max-choices-per-request")
                            || message.contains("--max-pending-tokens"), message);
                }
            }
            normal.assertUnharmed();
        }
    }

    // ---- 2. requests that always fail, sent in a loop by four clients

    @Test
    void clientsPostingRequestsThatAlwaysFailDoNotStarveOthers() throws Exception {
        String twoThousand = "{\"prompt\":[" + "\"x\",".repeat(1999) + "\"x\"],\"max_tokens\":1}";
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        List<Thread> attackers = IntStream.range(0, 4).mapToObj(i -> Thread.ofVirtual().start(() -> {
            HttpClient own = Http.client();
            while (!stop.get()) {
                statuses.add(post(own, twoThousand).status());
            }
        })).toList();
        try (NormalTraffic normal = NormalTraffic.start()) {
            Thread.sleep(3000);
            stop.set(true);
            for (Thread t : attackers) {
                t.join();
            }
            normal.assertUnharmed();
        }
        assertFalse(statuses.isEmpty());
        assertEquals(Map.of(400, (long) statuses.size()), statuses.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting())));
    }

    @Test
    void heavyValidRequestsGetTheirShareAndNormalOnesStillGetIn() throws Exception {
        // Each costs 8 × (1 + 100) = 808 tokens of the 3000 pending: two fit, the third is over its share once others wait.
        String heavy = "{\"prompt\":[" + "[5],".repeat(7) + "[5]],\"max_tokens\":100,\"ignore_eos\":true,\"stream\":true}";
        List<Socket> heavies = new ArrayList<>();
        try (NormalTraffic normal = NormalTraffic.start()) {
            int refused = 0;
            for (int i = 0; i < 6; i++) {
                Socket s = Http.connect(server);
                heavies.add(s);
                Http.writeRequest(s.getOutputStream(), "POST", COMPLETIONS, server, heavy);
            }
            for (Socket s : heavies) {
                Http.RawReply r = Http.readResponse(s.getInputStream());
                if (r.status() == 429) {
                    refused++;
                    assertTrue(r.text().contains("fair share"), r::text);
                } else {
                    assertEquals(200, r.status(), r::text);
                    assertTrue(r.text().endsWith("data: [DONE]\n\n"), r::text);
                }
            }
            assertTrue(refused >= 1, "6 × 808 tokens of work cannot all fit 3000");
            normal.assertUnharmed();
        } finally {
            for (Socket s : heavies) {
                s.close();
            }
        }
    }

    // ---- 3. prompts far longer than the context, which used to be tokenized on the event loop

    @Test
    void textLongerThanTheContextIsRefusedByLengthBeforeTokenizing() throws Exception {
        String huge = "a ".repeat(256 * 1024);
        String completion = "{\"prompt\":\"" + huge + "\",\"max_tokens\":1}";
        String chat = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + huge + "\"}]}";
        try (NormalTraffic normal = NormalTraffic.start()) {
            for (int round = 0; round < 3; round++) {
                List<Thread> attackers = new ArrayList<>();
                ConcurrentLinkedQueue<Http.Reply> replies = new ConcurrentLinkedQueue<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < 4; i++) {
                    String body = i % 2 == 0 ? completion : chat;
                    String path = i % 2 == 0 ? COMPLETIONS : "/v1/chat/completions";
                    attackers.add(Thread.ofVirtual().start(() -> {
                        try {
                            replies.add(Http.post(Http.client(), server, path, body));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }));
                }
                for (Thread t : attackers) {
                    t.join();
                }
                long took = System.nanoTime() - t0;
                for (Http.Reply r : replies) {
                    JsonNode e = Http.assertError(r, 400);
                    assertEquals("context_length_exceeded", e.path("code").asText(), r::body);
                    assertTrue(r.body().length() < 2048, "the prompt is not echoed back");
                }
                assertTrue(took < Duration.ofSeconds(5).toNanos(), "refused without tokenizing: " + took / 1e9 + " s");
            }
            normal.assertUnharmed();
        }
    }

    // ---- 4. connections: slow headers, slow bodies, idle sockets beyond the limit

    @Test
    void slowHeadersAndSlowBodiesAreTimedOutWith408() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try (NormalTraffic normal = NormalTraffic.start()) {
            for (int i = 0; i < 10; i++) {
                Socket s = Http.connect(server);
                s.getOutputStream().write("POST /v1/completions HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            for (int i = 0; i < 10; i++) {
                Socket s = Http.connect(server);
                s.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"prompt\":").getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            long t0 = System.nanoTime();
            // Keep trickling a byte now and then: progress must not reset the deadline.
            for (int tick = 0; tick < 6; tick++) {
                Thread.sleep(250);
                for (Socket s : slow) {
                    try {
                        s.getOutputStream().write(tick < 5 ? 'x' : ' ');
                    } catch (IOException closed) {
                        // already timed out
                    }
                }
            }
            for (int i = 0; i < slow.size(); i++) {
                Http.RawReply r = Http.readResponse(slow.get(i).getInputStream());
                assertEquals(408, r.status(), r::text);
                assertTrue(r.text().contains(i < 10 ? "--header-timeout" : "--body-timeout"), r::text);
                assertEquals(-1, slow.get(i).getInputStream().read(), "closed after the 408");
            }
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
            normal.assertUnharmed();
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void idleSocketsBeyondTheLimitMakeRoomAndAreClosedAfterTheIdleTimeout() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try (NormalTraffic normal = NormalTraffic.start()) {
            for (int i = 0; i < 3 * MAX_CONNECTIONS; i++) {
                idle.add(Http.connect(server));
            }
            Thread.sleep(300);
            normal.assertUnharmed(); // each new connection evicted the longest-idle one
            for (Socket s : idle) {
                s.setSoTimeout(10_000);
                byte[] got;
                try {
                    got = s.getInputStream().readAllBytes(); // returns once the server closes
                } catch (IOException reset) {
                    got = new byte[0];
                }
                String text = new String(got, StandardCharsets.UTF_8);
                // Closed without a word (evicted, or idle past --timeout-keep-alive), or refused
                // with a 503 if it arrived while no other connection was idle.
                assertTrue(got.length == 0 || text.startsWith("HTTP/1.1 503") && text.contains("--max-connections"), text);
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    // ---- 5. the smaller ones

    @Test
    void aMalformedRequestGetsItsAnswerAndTheConnectionCloses() throws Exception {
        try (Socket s = Http.connect(server)) {
            OutputStream out = s.getOutputStream();
            out.write("GARBAGE\u0001 / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(Http.request("GET", "/v1/models", server, null, null).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Http.RawReply r = Http.readResponse(s.getInputStream());
            assertEquals(400, r.status(), r::text);
            assertEquals("close", r.headers().get("connection"));
            assertEquals(-1, s.getInputStream().read(), "closed, not silently dropping the next request");
        }
    }

    @Test
    void hostHeaderRules() throws Exception {
        for (String headers : List.of("", "Host: a\r\nHost: b\r\n")) {
            try (Socket s = Http.connect(server)) {
                s.getOutputStream().write(("GET /v1/models HTTP/1.1\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
                Http.RawReply r = Http.readResponse(s.getInputStream());
                assertEquals(400, r.status(), r::text);
                assertTrue(r.text().contains("Host"), r::text);
            }
        }
        try (Socket s = Http.connect(server)) { // HTTP/1.0 needs none
            s.getOutputStream().write("GET /v1/models HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, Http.readResponse(s.getInputStream()).status());
        }
    }

    @Test
    void pipeliningPastTheBoundGetsA429InTurnThenTheClose() throws Exception {
        String one = "{\"prompt\":\"hi\",\"max_tokens\":1}";
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            all.append(Http.request("POST", COMPLETIONS, server, "application/json", one.getBytes(StandardCharsets.UTF_8))).append(one);
        }
        try (Socket s = Http.connect(server)) {
            s.getOutputStream().write(all.toString().getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            for (int i = 0; i < 17; i++) { // the one in progress and 16 queued behind it
                Http.RawReply r = Http.readResponse(in);
                assertEquals(200, r.status(), r::text);
            }
            Http.RawReply refused = Http.readResponse(in);
            assertEquals(429, refused.status(), refused::text);
            assertTrue(refused.text().contains("pipelined"), refused::text);
            assertEquals(-1, in.read());
        }
    }

    @Test
    void errorsEchoOnlyAShortPrefixAndStayStrictJson() throws Exception {
        Http.Reply longModel = post("{\"model\":\"" + "m".repeat(100_000) + "\",\"prompt\":\"x\"}");
        Http.assertError(longModel, 404, "model", "model_not_found");
        assertTrue(longModel.body().length() < 400, longModel::body);

        byte[] surrogate = "{\"model\":\"\\ud800tiny\",\"prompt\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        Http.Reply lone = Http.post(http, server, COMPLETIONS, surrogate, Map.of());
        assertEquals(404, lone.status());
        String message = lone.json().path("error").path("message").asText();
        assertTrue(message.chars().noneMatch(c -> Character.isSurrogate((char) c)), "no lone surrogate in " + message);
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(lone.body().getBytes(StandardCharsets.UTF_8)));

        Http.Reply nested = post("{\"prompt\":" + "[".repeat(5000) + "]".repeat(5000) + "}");
        Http.assertError(nested, 400);
        for (String internal : List.of("`", "jackson", "StreamReadConstraints", "com.fasterxml")) {
            assertFalse(nested.body().contains(internal), nested::body);
        }

        for (String key : List.of("+5", "005", " 5", "5.0")) {
            Http.Reply r = post("{\"prompt\":\"x\",\"logit_bias\":{\"" + key + "\":1}}");
            Http.assertError(r, 400, "logit_bias", "invalid_value");
        }
        assertEquals(200, post("{\"prompt\":\"x\",\"max_tokens\":1,\"logit_bias\":{\"5\":1}}").status());
    }

    @Test
    void anOversizedBodyGetsA413WithABodyWithOrWithoutExpectContinue() throws Exception {
        int tooBig = BODY_LIMIT + 1;
        try (Socket s = Http.connect(server)) {
            s.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + tooBig + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Http.RawReply r = Http.readResponse(s.getInputStream());
            assertEquals(413, r.status(), r::text);
            assertTrue(r.text().contains("--max-body-bytes"), r::text);
            assertEquals(-1, s.getInputStream().read());
        }
        try (Socket s = Http.connect(server)) {
            byte[] body = new byte[tooBig];
            java.util.Arrays.fill(body, (byte) 'a');
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + tooBig + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body); // the whole body is sent before the client reads: the answer must still be there
            out.flush();
            Http.RawReply r = Http.readResponse(s.getInputStream());
            assertEquals(413, r.status(), r::text);
            assertTrue(r.text().contains("--max-body-bytes"), r::text);
        }
    }

    // ---- helpers

    static Http.Reply post(String body) {
        return post(http, body);
    }

    static Http.Reply post(HttpClient client, String body) {
        try {
            return Http.post(client, server, COMPLETIONS, body);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** A normal client sending small requests one after another while an attack runs. */
    static final class NormalTraffic implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
        private final Thread thread;

        private NormalTraffic() {
            thread = Thread.ofVirtual().start(() -> {
                HttpClient own = Http.client();
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        Http.Reply r = Http.post(own, server, COMPLETIONS, NORMAL);
                        if (r.status() != 200) {
                            failures.add(r.toString());
                        }
                    } catch (IOException | InterruptedException e) {
                        failures.add(e.toString());
                    }
                    nanos.add(System.nanoTime() - t0);
                }
            });
        }

        static NormalTraffic start() {
            return new NormalTraffic();
        }

        /** Every normal request answered 200, none slower than a generous multiple of the usual time. */
        void assertUnharmed() throws InterruptedException {
            Thread.sleep(200);
            long bound = Math.max(Duration.ofSeconds(2).toNanos(), 10 * usual.toNanos());
            assertTrue(failures.isEmpty(), () -> "normal requests failed: " + failures);
            assertFalse(nanos.isEmpty(), "normal requests were answered during the attack");
            long worst = nanos.stream().mapToLong(Long::longValue).max().orElseThrow();
            assertTrue(worst <= bound, "a normal request took " + worst / 1e9 + " s (usual " + usual.toMillis() + " ms)");
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }
}

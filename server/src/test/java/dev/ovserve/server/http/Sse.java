package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Server-Sent Events reader over a raw byte stream, as a browser reads one: events end at a
 * blank line, {@code data:} lines carry the payload. Used with the JDK HttpClient's streamed body.
 */
final class Sse implements AutoCloseable {
    private final InputStream in;

    Sse(InputStream in) {
        this.in = in;
    }

    /** The next event's data (lines joined by \n), or null at the end of the stream. */
    String next() throws IOException {
        StringBuilder data = null;
        while (true) {
            String line = Http.readLine(in);
            if (line == null) {
                return data == null ? null : data.toString();
            }
            if (line.isEmpty()) {
                if (data != null) {
                    return data.toString();
                }
                continue;
            }
            if (line.startsWith(":")) {
                continue; // comment
            }
            if (line.startsWith("data:")) {
                String value = line.substring(5);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** A whole streamed response: status, content type, each event's JSON, and whether [DONE] came last. */
    record Stream(int status, String contentType, List<JsonNode> events, boolean doneLast, List<String> raw) {
        /** All choices of all chunks, in order. */
        List<JsonNode> choices() {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode e : events) {
                e.path("choices").forEach(out::add);
            }
            return out;
        }

        /** The concatenated text of choice {@code index} (completions: "text"; chat: delta.content). */
        String text(int index) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode c : choices()) {
                if (c.path("index").asInt() == index) {
                    JsonNode t = c.has("text") ? c.get("text") : c.path("delta").get("content");
                    if (t != null && !t.isNull()) {
                        sb.append(t.asText());
                    }
                }
            }
            return sb.toString();
        }

        /** The finish reason of choice {@code index}: exactly one non-null is expected. */
        String finishReason(int index) {
            String reason = null;
            for (JsonNode c : choices()) {
                if (c.path("index").asInt() == index && c.hasNonNull("finish_reason")) {
                    assertEquals(null, reason, "one finish_reason per choice");
                    reason = c.get("finish_reason").asText();
                }
            }
            return reason;
        }
    }

    /** POSTs a streaming request and reads every event to the end. */
    static Stream post(HttpClient client, TinyServer server, String path, String json) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build();
        HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        String contentType = r.headers().firstValue("content-type").orElse("");
        List<JsonNode> events = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        boolean doneLast = false;
        try (Sse sse = new Sse(r.body())) {
            for (String data = sse.next(); data != null; data = sse.next()) {
                raw.add(data);
                assertFalse(doneLast, "nothing after data: [DONE], got " + data);
                if (data.equals("[DONE]")) {
                    doneLast = true;
                    continue;
                }
                Http.assertNoStackTrace(data);
                events.add(Http.JSON.readTree(data));
            }
        }
        return new Stream(r.statusCode(), contentType, events, doneLast, raw);
    }

    /** {@link #post} and the checks every successful stream must pass. */
    static Stream postOk(HttpClient client, TinyServer server, String path, String json) throws IOException, InterruptedException {
        Stream s = post(client, server, path, json);
        assertEquals(200, s.status(), () -> "status; events " + s.raw());
        assertTrue(s.contentType().startsWith("text/event-stream"), "content type " + s.contentType());
        assertTrue(s.doneLast(), () -> "data: [DONE] last: " + s.raw());
        assertFalse(s.events().isEmpty(), "some events");
        return s;
    }
}

package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Plain HTTP against the server with the JDK's HttpClient, and raw HTTP/1.1 over a socket. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    private Http() {}

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** A response read whole. */
    record Reply(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    static Reply post(HttpClient client, TinyServer server, String path, String body) throws IOException, InterruptedException {
        return post(client, server, path, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Reply post(HttpClient client, TinyServer server, String path, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    static Reply get(HttpClient client, TinyServer server, String path) throws IOException, InterruptedException {
        return send(client, server, path, "GET", Map.of());
    }

    static Reply send(HttpClient client, TinyServer server, String path, String method, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    /**
     * Asserts an OpenAI error: this status, a body of exactly {@code {"error": {"message", "type",
     * "param", "code"}}} with a non-empty message, and nothing that looks like a Java stack trace.
     * Returns the inner error object.
     */
    static JsonNode assertError(Reply r, int status) {
        assertEquals(status, r.status(), () -> "status of " + r);
        assertNoStackTrace(r.body());
        JsonNode root = r.json();
        assertEquals(1, root.size(), () -> "only 'error' at the top: " + r.body());
        JsonNode error = root.get("error");
        assertTrue(error != null && error.isObject(), () -> "an error object: " + r.body());
        for (String field : new String[] {"message", "type", "param", "code"}) {
            assertTrue(error.has(field), () -> "error." + field + " present (null allowed): " + r.body());
        }
        assertTrue(error.get("message").isTextual() && !error.get("message").asText().isBlank(), () -> "a message: " + r.body());
        assertTrue(error.get("type").isTextual(), () -> "a type: " + r.body());
        String contentType = r.header("content-type");
        assertTrue(contentType != null && contentType.startsWith("application/json"), () -> "JSON content type: " + contentType);
        return error;
    }

    /** {@link #assertError} plus the param and code the request deserves (null for JSON null). */
    static JsonNode assertError(Reply r, int status, String param, String code) {
        JsonNode e = assertError(r, status);
        assertEquals(param, e.get("param").isNull() ? null : e.get("param").asText(), () -> "param of " + r);
        if (code != null) {
            assertEquals(code, e.get("code").isNull() ? null : e.get("code").asText(), () -> "code of " + r);
        }
        return e;
    }

    static void assertNoStackTrace(String body) {
        assertFalse(body.contains("at dev.ovserve") || body.contains("at java.") || body.contains("at io.netty")
                || body.contains("Exception"), () -> "no Java stack trace or exception name: " + body);
    }

    // ---- raw HTTP/1.1

    /** A raw response: status line, lower-cased headers, and the body (de-chunked). */
    record RawReply(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static String request(String method, String path, TinyServer server, String contentType, byte[] body,
                          String... extraHeaders) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        sb.append("Host: 127.0.0.1:").append(server.port()).append("\r\n");
        if (contentType != null) {
            sb.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        sb.append("\r\n");
        return sb.toString();
    }

    static void writeRequest(OutputStream out, String method, String path, TinyServer server, String json) throws IOException {
        byte[] body = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
        out.write(request(method, path, server, body == null ? null : "application/json", body).getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked) from {@code in}, leaving the connection open. */
    static RawReply readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (status / 100 == 1 || status == 204 || status == 304) {
            return new RawReply(status, headers, new byte[0]); // never a body
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                String size = readLine(in);
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    for (String trailer = readLine(in); trailer != null && !trailer.isEmpty(); trailer = readLine(in)) {
                        // trailers ignored
                    }
                    break;
                }
                body.write(in.readNBytes(n));
                readLine(in);
            }
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return new RawReply(status, headers, body.toByteArray());
    }

    /** A line ending in CRLF (or LF), without it; null at end of stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    static Socket connect(TinyServer server) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        return s;
    }
}

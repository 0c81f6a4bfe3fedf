package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.UnauthorizedException;
import com.openai.models.completions.CompletionCreateParams;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server started with an API key (and the default limits): /v1/* needs
 * {@code Authorization: Bearer <key>}, as does /metrics; /health does not; an oversized body is refused
 * whoever sends it.
 */
class ApiKeyTest {
    static final String KEY = "sk-test-0123456789";

    static TinyServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = TinyServer.start(TinyServer.defaultConfig(), KEY, Limits.DEFAULT);
        http = Http.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static final String BODY = "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":2,\"ignore_eos\":true}";

    @Test
    void missingOrWrongKeyIs401() throws Exception {
        Http.assertError(Http.post(http, server, "/v1/completions", BODY), 401, null, "invalid_api_key");
        Http.assertError(Http.post(http, server, "/v1/completions", BODY.getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", "Bearer wrong")), 401, null, "invalid_api_key");
        Http.assertError(Http.post(http, server, "/v1/completions", BODY.getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", "Bearer " + KEY + "x")), 401, null, "invalid_api_key");
        Http.assertError(Http.post(http, server, "/v1/completions", BODY.getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", KEY)), 401, null, "invalid_api_key");
        Http.assertError(Http.post(http, server, "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 401, null, "invalid_api_key");
        Http.assertError(Http.get(http, server, "/v1/models"), 401, null, "invalid_api_key");
        // Even a malformed body is refused for the missing key, not parsed.
        Http.assertError(Http.post(http, server, "/v1/completions", "{not json"), 401);
    }

    @Test
    void theRightBearerKeyIsServed() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + KEY);
        Http.Reply r = Http.post(http, server, "/v1/completions", BODY.getBytes(StandardCharsets.UTF_8), auth);
        assertEquals(200, r.status(), r::body);
        assertEquals(2, r.json().path("usage").path("completion_tokens").asInt());
        Http.Reply models = Http.send(http, server, "/v1/models", "GET", auth);
        assertEquals(200, models.status(), models::body);
    }

    @Test
    void healthNeedsNoKeyButMetricsDoes() throws Exception {
        assertEquals(200, Http.get(http, server, "/health").status());
        assertEquals(200, Http.get(http, server, "/health/live").status());
        Http.assertError(Http.get(http, server, "/metrics"), 401, null, "invalid_api_key");
        assertEquals(200, Http.send(http, server, "/metrics", "GET", Map.of("Authorization", "Bearer " + KEY)).status());
    }

    @Test
    void theSdkSendsItsKey() {
        OpenAIClient good = server.sdk();
        OpenAIClient bad = server.sdk("sk-wrong");
        try {
            var params = CompletionCreateParams.builder().model(TinyServer.MODEL).prompt("hello").maxTokens(3)
                    .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build();
            assertEquals(3, good.completions().create(params).usage().orElseThrow().completionTokens());
            UnauthorizedException e = assertThrows(UnauthorizedException.class, () -> bad.completions().create(params));
            assertEquals(401, e.statusCode());
        } finally {
            good.close();
            bad.close();
        }
    }

    @Test
    void fiveMegabytesExceedTheDefaultLimit() throws Exception {
        byte[] body = ("{\"prompt\":\"" + "b".repeat(5 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertTrue(body.length > Limits.DEFAULT.maxBodyBytes());
        Http.RawReply r;
        try (var s = Http.connect(server)) {
            var out = s.getOutputStream();
            out.write(Http.request("POST", "/v1/completions", server, "application/json", body, "Authorization: Bearer " + KEY)
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(body);
                    out.flush();
                } catch (Exception ignored) {
                    // the server may stop reading once it has refused the body
                }
            });
            r = Http.readResponse(s.getInputStream());
            writer.join(5000);
        }
        assertEquals(413, r.status(), r::text);
        Http.Reply after = Http.post(http, server, "/v1/completions", BODY.getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", "Bearer " + KEY));
        assertEquals(200, after.status(), after::body);
    }
}

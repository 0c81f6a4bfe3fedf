package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.Socket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code cache_salt} on the real server: prefix-cache hits only between requests with the same salt. */
class CacheSaltHttpTest {
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

    /** 70 token ids from {@code first}: two full 32-token blocks can be reused. */
    private static String body(int first, String saltField) {
        String ids = IntStream.range(first, first + 70).mapToObj(Integer::toString).collect(Collectors.joining(","));
        return "{\"prompt\":[" + ids + "],\"max_tokens\":2" + saltField + "}";
    }

    private static int cachedTokens(String body) throws Exception {
        Http.Reply r = Http.post(http, server, "/v1/completions", body);
        assertEquals(200, r.status(), r::body);
        JsonNode usage = r.json().path("usage");
        assertEquals(70, usage.path("prompt_tokens").asInt(), r::body);
        return usage.path("prompt_tokens_details").path("cached_tokens").asInt();
    }

    @Test
    void onlyRequestsWithTheSameSaltShareCachedPrefixes() throws Exception {
        assertEquals(0, cachedTokens(body(10, ",\"cache_salt\":\"tenant-a\"")));
        assertEquals(64, cachedTokens(body(10, ",\"cache_salt\":\"tenant-a\"")), "same salt: the two full blocks are reused");
        assertEquals(0, cachedTokens(body(10, ",\"cache_salt\":\"tenant-b\"")), "another salt cannot see tenant-a's prompt");
        assertEquals(0, cachedTokens(body(10, "")), "no salt does not see salted prompts");
        assertEquals(64, cachedTokens(body(10, "")), "unsalted requests share among themselves");
        assertEquals(64, cachedTokens(body(10, ",\"cache_salt\":\"tenant-b\"")));
        assertEquals(64, cachedTokens(body(10, ",\"cache_salt\":null")), "null is no salt");
        server.awaitIdle(Duration.ofSeconds(10));
        JsonNode health = Http.get(http, server, "/health").json();
        assertEquals(0, health.path("devices").get(0).path("kv_blocks_used").asInt(), health::toString);
    }

    @Test
    void withConnectionScopeAnotherConnectionFindsNothingCached() throws Exception {
        try (TinyServer scoped = TinyServer.start(PrefixCacheScope.CONNECTION);
             Socket first = Http.connect(scoped);
             Socket second = Http.connect(scoped)) {
            assertEquals(0, cachedTokens(scoped, first, body(300, "")));
            assertEquals(64, cachedTokens(scoped, first, body(300, "")), "the same connection reuses its own prefix");
            assertEquals(0, cachedTokens(scoped, second, body(300, "")), "another connection cannot probe it");
            assertEquals(0, cachedTokens(scoped, second, body(300, ",\"cache_salt\":\"x\"")));
            assertEquals(64, cachedTokens(scoped, second, body(300, ",\"cache_salt\":\"x\"")));
            assertEquals(64, cachedTokens(scoped, first, body(300, "")));
            assertEquals(0, scoped.awaitIdle(Duration.ofSeconds(10)).usedBlocks());
        }
    }

    private static int cachedTokens(TinyServer on, Socket connection, String body) throws Exception {
        Http.writeRequest(connection.getOutputStream(), "POST", "/v1/completions", on, body);
        Http.RawReply r = Http.readResponse(connection.getInputStream());
        assertEquals(200, r.status(), r::text);
        return Http.JSON.readTree(r.text()).path("usage").path("prompt_tokens_details").path("cached_tokens").asInt();
    }

    @Test
    void aBadSaltIsRefusedNamingTheField() throws Exception {
        for (String salt : new String[] {"\"\"", "5", "\"" + "s".repeat(257) + "\""}) {
            Http.Reply r = Http.post(http, server, "/v1/completions", body(200, ",\"cache_salt\":" + salt));
            JsonNode e = Http.assertError(r, 400);
            assertEquals("cache_salt", e.path("param").asText(), r::body);
        }
        Http.Reply chat = Http.post(http, server, "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1,\"cache_salt\":\"\"}");
        assertEquals("cache_salt", Http.assertError(chat, 400).path("param").asText(), chat::body);
    }
}

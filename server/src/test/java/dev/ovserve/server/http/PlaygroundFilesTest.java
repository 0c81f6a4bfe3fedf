package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The playground's files over plain HTTP: headers, revalidation, what is never served, and --no-ui. */
class PlaygroundFilesTest {
    private static TinyServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = TinyServer.start();
        http = Http.client();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void thePageComesWithAStrictPolicyAndRevalidates() throws Exception {
        Http.Reply page = Http.get(http, server, "/");
        assertEquals(200, page.status());
        assertEquals("text/html; charset=utf-8", page.header("content-type"));
        String csp = page.header("content-security-policy");
        assertNotNull(csp);
        List<String> directives = List.of(csp.split(";\\s*"));
        assertTrue(directives.contains("default-src 'none'"), csp);
        assertTrue(directives.contains("script-src 'self'"), csp);
        assertTrue(directives.contains("connect-src 'self'"), csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
        assertEquals("nosniff", page.header("x-content-type-options"));
        assertEquals("DENY", page.header("x-frame-options"));
        assertEquals("no-cache", page.header("cache-control"));
        assertTrue(page.body().contains("<script type=\"module\" src=\"/ui/app.js\"></script>"));

        String etag = page.header("etag");
        Http.Reply again = Http.send(http, server, "/", "GET", Map.of("If-None-Match", etag));
        assertEquals(304, again.status());
        assertEquals("", again.body());
        assertEquals(200, Http.send(http, server, "/", "GET", Map.of("If-None-Match", "\"other\"")).status());

        Http.Reply head = Http.send(http, server, "/", "HEAD", Map.of());
        assertEquals(200, head.status());
        assertEquals(String.valueOf(page.body().getBytes(StandardCharsets.UTF_8).length), head.header("content-length"));

        for (String module : List.of("app.js", "api.js", "sse.js", "store.js", "status.js", "view.js")) {
            Http.Reply js = Http.get(http, server, "/ui/" + module);
            assertEquals(200, js.status(), module);
            assertEquals("text/javascript; charset=utf-8", js.header("content-type"), module);
        }
        assertEquals("text/css; charset=utf-8", Http.get(http, server, "/ui/style.css").header("content-type"));
    }

    @Test
    void onlyListedFilesAreServed() throws Exception {
        for (String path : List.of("/ui/", "/ui/missing.js", "/ui/../ui/app.js", "/index.html",
                "/dev/ovserve/server/playground/app.js", "/ui/%2e%2e/index.html")) {
            Http.assertError(Http.get(http, server, path), 404);
        }
        Http.assertError(Http.post(http, server, "/", "{}"), 405);
    }

    /** Static guards behind the CSP: no inline script or handler, no HTML sink for text, anywhere. */
    @Test
    void theFilesHaveNoInlineScriptAndNoHtmlSinks() throws Exception {
        String html = resource("index.html");
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)", Pattern.CASE_INSENSITIVE).matcher(html).find(), "inline <script>");
        assertFalse(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "inline event handler");
        assertFalse(Pattern.compile("\\sstyle\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "inline style");
        for (String module : List.of("app.js", "api.js", "sse.js", "store.js", "status.js", "view.js")) {
            String js = resource(module);
            for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")) {
                assertFalse(js.contains(sink), module + " uses " + sink);
            }
        }
    }

    @Test
    void noUiServesOnlyTheApi() throws Exception {
        try (TinyServer bare = TinyServer.start(TinyServer.defaultConfig(), null, false, Duration.ZERO)) {
            Http.assertError(Http.get(http, bare, "/"), 404);
            Http.assertError(Http.get(http, bare, "/ui/app.js"), 404);
            Http.Reply models = Http.get(http, bare, "/v1/models");
            assertEquals(200, models.status());
            assertEquals(TinyServer.MAX_MODEL_LEN, models.json().at("/data/0/max_model_len").asInt());
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PlaygroundFiles.class.getResourceAsStream("/dev/ovserve/server/playground/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

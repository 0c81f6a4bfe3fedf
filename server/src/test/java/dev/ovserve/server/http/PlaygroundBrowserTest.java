package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

/**
 * The web playground in headless Chromium against the real server on the tiny model. Each engine
 * step is held to {@link #STEP} (the real runner still computes it), so a reply takes long
 * enough to watch it grow and to stop it half-way.
 */
@Timeout(300)
class PlaygroundBrowserTest {
    static final Duration STEP = Duration.ofMillis(40);
    static final int DESKTOP_WIDTH = 1280;
    static final int DESKTOP_HEIGHT = 860;

    private static TinyServer server;
    private static Chromium chromium;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        chromium = Chromium.start(DESKTOP_WIDTH, DESKTOP_HEIGHT);
        server = TinyServer.start(TinyServer.defaultConfig(), null, true, STEP);
        http = Http.client();
    }

    @AfterAll
    static void stop() {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void tokensArriveWhileTheReplyStreamsAndItsNumbersAppear() throws Exception {
        openFresh(server);
        setField("temperature", "0");
        setField("max-tokens", "40");
        String message = "Tell me about the ocean and the ships that sail on it at night.";
        send(message);

        // Watch the reply while it streams: its text must grow in several steps before it ends.
        List<String> whileStreaming = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Reply reply = lastReply();
        while ((reply == null || reply.streaming()) && System.nanoTime() < deadline) {
            if (reply != null && !reply.text().isEmpty()) {
                whileStreaming.add(reply.text());
            }
            Thread.sleep(10);
            reply = lastReply();
        }
        assertNotNull(reply);
        assertEquals("done", reply.state(), "the reply ended normally");
        Set<String> distinct = new LinkedHashSet<>(whileStreaming);
        assertTrue(distinct.size() >= 3, () -> "the reply grew in only " + distinct.size() + " steps while streaming: " + distinct);
        for (String partial : distinct) {
            assertTrue(reply.text().startsWith(partial), "text only ever grows at its end: " + partial);
        }
        assertTrue(reply.text().length() > distinct.stream().mapToInt(String::length).min().orElseThrow());

        // The numbers: TTFT and tokens/s measured in the page, token counts as the server reports them.
        Map<String, String> stats = lastStats();
        assertTrue(stats.get("ttft").matches("\\d+(\\.\\d+)? m?s"), () -> "TTFT: " + stats);
        assertTrue(Double.parseDouble(stats.get("tps")) > 0, () -> "tokens/s: " + stats);
        String body = "{\"model\":\"tiny\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":"
                + Http.JSON.writeValueAsString(message) + "}]}";
        int promptTokens = Http.post(http, server, "/v1/chat/completions", body).json().at("/usage/prompt_tokens").asInt();
        assertEquals(String.valueOf(promptTokens), stats.get("prompt"), () -> "prompt tokens: " + stats);
        assertTrue(promptTokens >= 32, () -> "the prompt (" + promptTokens + " tokens) fills a KV block, so a repeat hits the prefix cache");
        int completion = Integer.parseInt(stats.get("completion"));
        if ("length".equals(stats.get("finish"))) {
            assertEquals(40, completion);
        } else {
            assertTrue(completion > 0 && completion < 40, () -> "completion tokens: " + stats);
        }
        assertNotNull(stats.get("cached"), () -> "prefix-cache hits are shown: " + stats);

        // Regenerate: the same prompt again (greedy, so the same text), now served from the prefix cache.
        String first = reply.text();
        click("regenerate");
        Reply again = awaitReplyEnd();
        assertEquals("done", again.state());
        assertEquals(first, again.text(), "greedy decoding repeats itself");
        assertEquals(1, countReplies(), "regenerate replaces the reply");
        Map<String, String> again2 = lastStats();
        int cached = Integer.parseInt(again2.get("cached").split(" ")[0]);
        assertTrue(cached >= 32 && cached <= promptTokens, () -> "prefix-cache hits on the repeat: " + again2);

        screenshots();
    }

    /** Desktop and narrow screenshots of the conversation above; the narrow layout is one column. */
    private void screenshots() throws IOException, InterruptedException {
        ChromeDriver d = chromium.driver;
        click("new-chat");
        setField("max-tokens", "20"); // two turns must fit the tiny model's 128-token context
        setField("system", "Be brief.");
        send("A haiku on servers?");
        assertEquals("done", awaitReplyEnd().state());
        send("And on KV caches?");
        assertEquals("done", awaitReplyEnd().state(), () -> "second turn: " + text("error"));
        Thread.sleep(2500); // one status refresh after the reply, so the panel shows settled figures
        save("playground-desktop.png", d.getScreenshotAs(OutputType.BYTES));

        d.manage().window().setSize(new Dimension(390, 844));
        try {
            awaitTrue(() -> (Boolean) js("return window.innerWidth <= 400"), "narrow window");
            assertTrue((Boolean) js("return document.scrollingElement.scrollWidth <= window.innerWidth"),
                    "no sideways scrolling on a narrow screen");
            assertTrue((Boolean) js("const m = document.querySelector('main').getBoundingClientRect();"
                    + "const a = document.querySelector('aside').getBoundingClientRect();"
                    + "return a.top >= m.bottom - 1 && a.left < m.right;"), "settings and status go below the chat");
            save("playground-narrow.png", d.getScreenshotAs(OutputType.BYTES));
        } finally {
            d.manage().window().setSize(new Dimension(DESKTOP_WIDTH, DESKTOP_HEIGHT));
        }
    }

    /** Into target/ always; into docs/img/ (the README's pictures) with -Dovserve.update.screenshots=true. */
    private static void save(String name, byte[] png) throws IOException {
        Path target = Path.of("target", "playground", name);
        Files.createDirectories(target.getParent());
        Files.write(target, png);
        if (Boolean.getBoolean("ovserve.update.screenshots")) {
            Path docs = Path.of(System.getProperty("ovserve.root", "..")).resolve("docs/img").resolve(name);
            Files.createDirectories(docs.getParent());
            Files.write(docs, png);
        }
    }

    @Test
    void stoppingMidReplyCancelsItOnTheServerAndFreesItsKvBlocks() throws Exception {
        openFresh(server);
        setField("max-tokens", "90");
        // 1 prefill + 90 decode steps of at least STEP each: the reply cannot end on its own sooner.
        Duration naturalEnd = STEP.multipliedBy(91);
        for (boolean escape : new boolean[] {true, false}) {
            click("new-chat");
            long sent = System.nanoTime();
            send(escape ? "Stop me with Esc." : "Stop me with the button.");
            awaitTrue(() -> {
                Reply r = lastReply();
                return r != null && r.streaming() && r.text().length() >= 3;
            }, () -> "tokens arriving; the reply: " + lastReply() + ", error: " + text("error"));
            JsonNode busy = health();
            assertTrue(sum(busy, "kv_blocks_used") > 0 && sum(busy, "running") == 1, () -> "the reply holds KV blocks: " + busy);

            if (escape) {
                new Actions(chromium.driver).sendKeys(Keys.ESCAPE).perform();
            } else {
                click("stop");
            }
            JsonNode idle = null;
            while (System.nanoTime() - sent < naturalEnd.toNanos()) {
                idle = health();
                if (sum(idle, "kv_blocks_used") == 0 && sum(idle, "running") == 0) {
                    break;
                }
                Thread.sleep(10);
            }
            JsonNode last = idle;
            assertTrue(System.nanoTime() - sent < naturalEnd.toNanos(),
                    () -> "KV blocks freed before the reply could have ended by itself: " + last);
            assertEquals(0, sum(idle, "kv_blocks_used"));

            Reply stopped = awaitReplyEnd();
            assertEquals("stopped", stopped.state());
            Thread.sleep(300);
            assertEquals(stopped.text(), lastReply().text(), "nothing more arrives after Stop");
            int shown = Integer.parseInt(lastStats().get("completion"));
            assertTrue(shown > 0 && shown < 90, () -> "tokens received before the stop: " + shown);
            assertTrue(Boolean.parseBoolean(String.valueOf(js("return document.getElementById('stop').disabled"))));
            assertFalse(Boolean.parseBoolean(String.valueOf(js("return document.getElementById('send').disabled"))));
        }
        assertEquals(0, server.awaitIdle(Duration.ofSeconds(5)).usedBlocks());
    }

    /** The settings reach the server: a seed repeats a sampled reply, a stop string cuts it, top p narrows it. */
    @Test
    void samplingSettingsShapeTheReply() throws Exception {
        openFresh(server);
        setField("max-tokens", "12");
        setField("temperature", "0");
        send("Sampling check.");
        String greedy = awaitReplyEnd().text();

        setField("temperature", "1");
        setField("seed", "7");
        click("regenerate");
        String seeded = awaitReplyEnd().text();
        assertFalse(seeded.equals(greedy), "temperature 1 samples: " + seeded);
        click("regenerate");
        assertEquals(seeded, awaitReplyEnd().text(), "the same seed, the same reply");
        setField("seed", "8");
        click("regenerate");
        assertFalse(seeded.equals(awaitReplyEnd().text()), "another seed, another reply");

        setField("top-p", "0.000001");
        click("regenerate");
        assertEquals(greedy, awaitReplyEnd().text(), "top p that keeps one token is greedy");

        setField("top-p", "1");
        setField("seed", "7");
        int at = -1;
        for (int i = 1; i < seeded.length(); i++) {
            char c = seeded.charAt(i);
            if (c >= 'a' && c <= 'z' && seeded.indexOf(c) == i) {
                at = i;
                break;
            }
        }
        assertTrue(at > 0, "the seeded reply has a letter to stop at: " + seeded);
        setField("stop-strings", String.valueOf(seeded.charAt(at)));
        click("regenerate");
        Reply cut = awaitReplyEnd();
        assertEquals(seeded.substring(0, at), cut.text(), "the reply ends before the stop string");
        assertEquals("stop", lastStats().get("finish"));
    }

    static final String PAYLOAD = "<script>alert(1)</script><img src=x onerror=\"window.__xss=1;alert(2)\">";

    @Test
    void markupInMessagesAndRepliesIsShownAsTextAndNeverRuns() throws Exception {
        openFresh(server);
        js("window.__alerts = 0; window.alert = () => { window.__alerts++; };"
                + "window.__violations = [];"
                + "document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));");
        setField("max-tokens", "6");

        // The user's own message, in chat mode.
        send(PAYLOAD);
        awaitReplyEnd();
        assertEquals(PAYLOAD, js("return document.querySelector('#messages .message.user .content').textContent"));

        // A model reply that contains it: raw completion with echo, where the server's output is prompt + continuation.
        click("mode-raw");
        click("echo");
        send(PAYLOAD);
        Reply echoed = awaitReplyEnd();
        assertEquals("done", echoed.state());
        assertTrue(echoed.text().startsWith(PAYLOAD) && echoed.text().length() > PAYLOAD.length(),
                () -> "the reply holds the markup as text: " + echoed.text());

        Thread.sleep(500); // an image's error event or a blocked handler would have fired by now
        assertEquals(0L, js("return document.querySelectorAll('#messages script, #messages img').length"));
        assertEquals(0L, js("return window.__alerts"));
        assertEquals(null, js("return window.__xss === undefined ? null : window.__xss"));
        assertEquals(List.of(), js("return window.__violations"), "nothing even tried to run");
        assertThrows(NoAlertPresentException.class, () -> chromium.driver.switchTo().alert());

        // The probes are live: the same markup parsed as HTML is caught by the page's CSP, and still does not run.
        js("const d = document.createElement('div'); d.innerHTML = arguments[0]; document.body.append(d);", PAYLOAD);
        awaitTrue(() -> !((List<?>) js("return window.__violations")).isEmpty(), "a CSP violation for the inline handler");
        assertEquals(null, js("return window.__xss === undefined ? null : window.__xss"));
        assertEquals(0L, js("return window.__alerts"));
    }

    @Test
    void keyboardAndConversationsKeptInTheBrowser() throws Exception {
        openFresh(server);
        setField("max-tokens", "4");
        WebElement input = chromium.driver.findElement(By.id("input"));
        input.sendKeys("first line");
        input.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
        input.sendKeys("second line");
        assertEquals("first line\nsecond line", input.getDomProperty("value"), "Shift+Enter adds a line");
        assertEquals(0L, js("return document.querySelectorAll('#messages .message').length"), "and sends nothing");
        input.sendKeys(Keys.ENTER);
        Reply first = awaitReplyEnd();
        assertEquals("done", first.state());
        assertEquals("first line\nsecond line", js("return document.querySelector('#messages .message.user .content').textContent"));

        click("new-chat");
        assertEquals(0L, js("return document.querySelectorAll('#messages .message').length"));
        send("another conversation");
        awaitReplyEnd();

        chromium.driver.navigate().refresh();
        awaitTrue(() -> "tiny".equals(text("model-id")), "model loaded");
        assertEquals("another conversation", js("return document.querySelector('#messages .message.user .content').textContent"),
                "the current conversation survives a reload");
        assertEquals(2L, js("return document.querySelectorAll('#conversations button').length"));
        js("[...document.querySelectorAll('#conversations button')].find(b => b.textContent.startsWith('first line')).click()");
        assertEquals("first line\nsecond line", js("return document.querySelector('#messages .message.user .content').textContent"));
        assertEquals(first.text(), lastReply().text());
    }

    @Test
    void anApiKeyIsAskedForOnceAndKept() throws Exception {
        String key = "playground-key-" + System.nanoTime();
        try (TinyServer guarded = TinyServer.start(TinyServer.defaultConfig(), key, true, Duration.ZERO)) {
            assertEquals(401, Http.get(http, guarded, "/v1/models").status());
            assertEquals(200, Http.get(http, guarded, "/").status(), "the page itself needs no key");

            chromium.driver.get(guarded.baseUrl() + "/");
            js("localStorage.clear()");
            chromium.driver.navigate().refresh();
            awaitTrue(() -> "unavailable".equals(text("model-id")), "the model list refused");
            assertTrue(text("error").contains("API key"), () -> "the page asks for the key: " + text("error"));
            send("hello?");
            awaitTrue(() -> !(Boolean) js("return document.getElementById('error').hidden")
                    && text("error").contains("API key") && !(Boolean) js("return document.getElementById('send').disabled"),
                    "the refused message explained");
            assertEquals(null, lastReply(), "a refused request leaves no reply");

            chromium.driver.findElement(By.id("api-key")).sendKeys(key);
            click("save-key");
            awaitTrue(() -> "tiny".equals(text("model-id")), "the model list with the key");
            assertEquals("128", text("context-length"));
            setField("max-tokens", "5");
            click("regenerate"); // the refused message is still there: ask again
            Reply reply = awaitReplyEnd();
            assertEquals("done", reply.state());
            assertTrue(Integer.parseInt(lastStats().get("completion")) > 0);

            chromium.driver.navigate().refresh();
            awaitTrue(() -> "tiny".equals(text("model-id")), "the key is kept across reloads");
            assertEquals(Http.JSON.writeValueAsString(key), js("return localStorage.getItem('ovserve.apiKey')"));
            click("forget-key");
            awaitTrue(() -> "unavailable".equals(text("model-id")), "forgotten");
        }
    }

    /** The page's own parsers: SSE split at every possible place, and the real /metrics text. */
    @Test
    void theSseAndMetricsParsersReadWhatTheServerWrites() throws Exception {
        openFresh(server);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) chromium.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                Promise.all([import('/ui/sse.js'), import('/ui/status.js'), fetch('/metrics').then(x => x.text())])
                  .then(([{ createSseParser }, { parseMetrics }, metrics]) => {
                    const text = 'data: {"a":1}\\r\\n\\r\\n: keep-alive\\n\\ndata: line one\\ndata:line two\\n\\nevent: x\\ndata: [DONE]\\n\\n';
                    const splits = new Set();
                    for (let size = 1; size <= text.length; size++) {
                      const seen = [];
                      const p = createSseParser(d => seen.push(d));
                      for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
                      p.end();
                      splits.add(JSON.stringify(seen));
                    }
                    const blocks = parseMetrics(metrics).find(s => s.name === 'ovserve_kv_cache_blocks_total');
                    done({ splits: [...splits], blocks: blocks ? blocks.value : null });
                  }, e => done({ error: String(e) }));
                """);
        assertEquals(List.of(Http.JSON.writeValueAsString(List.of("{\"a\":1}", "line one\nline two", "[DONE]"))), r.get("splits"),
                () -> "every split gives the same events: " + r);
        assertEquals((long) server.runner.numBlocks(), ((Number) r.get("blocks")).longValue());
    }

    // ---- helpers --------------------------------------------------------------------------------

    record Reply(String state, String text) {
        boolean streaming() {
            return "streaming".equals(state);
        }
    }

    private static Object js(String script, Object... args) {
        return chromium.driver.executeScript(script, args);
    }

    private static void openFresh(TinyServer s) {
        chromium.driver.get(s.baseUrl() + "/");
        js("localStorage.clear()");
        chromium.driver.navigate().refresh();
        awaitTrue(() -> "tiny".equals(text("model-id")), "the model id shown");
        assertEquals("128", text("context-length"));
    }

    private static String text(String id) {
        return (String) js("return document.getElementById(arguments[0]).textContent", id);
    }

    private static void click(String id) {
        chromium.driver.findElement(By.id(id)).click();
    }

    private static void setField(String id, String value) {
        WebElement e = chromium.driver.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    private static void send(String text) {
        WebElement input = chromium.driver.findElement(By.id("input"));
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER);
    }

    private static Reply lastReply() {
        @SuppressWarnings("unchecked")
        List<String> r = (List<String>) js("const m = [...document.querySelectorAll('#messages .message')]"
                + ".filter(x => x.dataset.role === 'assistant' || x.dataset.role === 'completion').pop();"
                + "return m ? [m.dataset.state, m.querySelector('.content').textContent] : null;");
        return r == null ? null : new Reply(r.get(0), r.get(1));
    }

    private static long countReplies() {
        return (Long) js("return document.querySelectorAll('#messages .message.assistant, #messages .message.completion').length");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> lastStats() {
        return (Map<String, String>) js("const m = [...document.querySelectorAll('#messages .message')].pop();"
                + "const o = {}; m.querySelectorAll('.stat').forEach(s => o[s.dataset.stat] = s.dataset.value); return o;");
    }

    private static Reply awaitReplyEnd() {
        awaitTrue(() -> {
            Reply r = lastReply();
            return r != null && !r.streaming() && !(Boolean) js("return document.getElementById('send').disabled");
        }, "the reply to end");
        return lastReply();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        awaitTrue(condition, () -> what);
    }

    private static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static JsonNode health() throws IOException, InterruptedException {
        return Http.get(http, server, "/health").json();
    }

    /** A figure summed over the devices /health lists. */
    private static long sum(JsonNode health, String field) {
        long total = 0;
        for (JsonNode d : health.path("devices")) {
            total += d.path(field).asLong();
        }
        return total;
    }
}

package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.scheduler.engine.EngineStats;
import dev.ovserve.scheduler.engine.SchedulerConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The metrics an inference gateway's endpoint picker scrapes (vLLM's names, with a
 * {@code model_name} label), read from /metrics of a real server while requests are in flight:
 * two run (the engine's limit), the rest wait, and the same long prompt fills the prefix cache.
 */
class GatewayMetricsTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");
    private static final int REQUESTS = 6;

    @Test
    void queueRunningKvUsageAndPrefixCountersUnderLoad() throws Exception {
        SchedulerConfig twoAtATime = new SchedulerConfig(2, 512, TinyServer.MAX_MODEL_LEN, 64, true);
        HttpClient http = Http.client();
        String prompt = "The same long opening, shared by every request so the prefix cache has whole blocks to reuse. ";
        String body = "{\"prompt\":\"" + prompt + "\",\"max_tokens\":24,\"ignore_eos\":true}";
        try (TinyServer server = TinyServer.start(twoAtATime, null, false, Duration.ofMillis(25));
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                replies.add(clients.submit(() -> Http.post(http, server, "/v1/completions", body)));
            }
            long deadline = System.currentTimeMillis() + 20_000;
            while (!(server.engine.stats().running() == 2 && server.engine.stats().waiting() >= 2)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            Map<String, Double> underLoad = scrape(http, server);
            assertEquals(2.0, underLoad.get("vllm:num_requests_running{model_name=\"tiny\"}"), underLoad::toString);
            double waiting = underLoad.get("vllm:num_requests_waiting{model_name=\"tiny\"}");
            assertTrue(waiting >= 1 && waiting <= REQUESTS - 2, "requests past the engine's two wait: " + waiting);
            double kv = underLoad.get("vllm:kv_cache_usage_perc{model_name=\"tiny\"}");
            assertTrue(kv > 0 && kv <= 1, "a ratio in (0, 1] while sequences hold blocks: " + kv);
            assertEquals(kv, underLoad.get("vllm:gpu_cache_usage_perc{model_name=\"tiny\"}"), 0.05, "the older name, same figure");

            for (Future<Http.Reply> r : replies) {
                assertEquals(200, r.get().status(), r.get()::body);
            }
            EngineStats idle = server.awaitIdle(Duration.ofSeconds(10));
            Map<String, Double> after = scrape(http, server);
            assertEquals(0.0, after.get("vllm:num_requests_running{model_name=\"tiny\"}"));
            assertEquals(0.0, after.get("vllm:num_requests_waiting{model_name=\"tiny\"}"));
            assertEquals(0.0, after.get("vllm:kv_cache_usage_perc{model_name=\"tiny\"}"));
            double queried = after.get("vllm:prefix_cache_queries_total{model_name=\"tiny\"}");
            double hits = after.get("vllm:prefix_cache_hits_total{model_name=\"tiny\"}");
            assertEquals(idle.prefixQueryTokens(), queried, "the engine's own count of tokens looked up");
            assertTrue(hits > 0 && hits < queried, "later requests reuse the shared prompt's blocks: " + hits + " of " + queried);
            assertEquals(idle.prefixHitRate(), hits / queried, 1e-9, "agrees with ovserve_prefix_cache_hit_rate's source");
            String info = "vllm:cache_config_info{block_size=\"" + idle.blockSize() + "\",model_name=\"tiny\",num_gpu_blocks=\""
                    + idle.totalBlocks() + "\"}";
            assertNotNull(after.get(info), () -> "cache info with the pool's shape, " + info + " in " + after.keySet());
        }
    }

    /** Every sample of the text exposition, keyed by name and labels as written. */
    private static Map<String, Double> scrape(HttpClient http, TinyServer server) throws Exception {
        Http.Reply r = Http.get(http, server, "/metrics");
        assertEquals(200, r.status());
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.matches()) {
                samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
            }
        }
        return samples;
    }
}

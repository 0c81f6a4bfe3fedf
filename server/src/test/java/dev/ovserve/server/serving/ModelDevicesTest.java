package dev.ovserve.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovserve.models.RandomGpt2Generator;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.Gpt2IrConverter;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.paged.PagedModelOptions;
import dev.ovserve.openvino.Core;
import dev.ovserve.scheduler.engine.EngineStats;
import dev.ovserve.scheduler.engine.SchedulerConfig;
import dev.ovserve.server.http.Limits;
import dev.ovserve.server.http.ServerApp;
import dev.ovserve.tokenizer.TokenizerJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device plans on the real runtime and a real server: what /health and /metrics say about devices and load times. */
class ModelDevicesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final SchedulerConfig CONFIG = new SchedulerConfig(8, 256, 128, 64, true);

    @TempDir
    static Path dir;
    static Path ir;
    static Core core;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void setUp() throws Exception {
        Path hf = new RandomGpt2Generator(TinyModels.SHAPE, TinyModels.SEED, TinyModels.STD).writeTo(dir.resolve("hf"));
        TokenizerJson.bytes(TinyModels.SHAPE.vocab(), hf);
        ir = dir.resolve("ir");
        Gpt2IrConverter.convert(hf, ir, WeightFormat.FP32);
        core = new Core();
    }

    @AfterAll
    static void tearDown() {
        core.close();
    }

    static ModelDevices start(String plan) {
        return ModelDevices.start(core, ir, DevicePlan.parse(plan), PagedModelOptions.cpu(0.01).withProperties(TinyModels.EXACT),
                dir.resolve("cache"), CONFIG, Set.of());
    }

    @Test
    void withoutTheAcceleratorItServesOnCpuAndSaysSo() throws Exception {
        try (ModelDevices devices = start("AUTO:CPU,GPU"); ServerApp app = serve(devices)) {
            Thread.sleep(200); // nothing else is coming: no GPU here
            assertEquals(1, devices.loads().size());
            JsonNode health = JSON.readTree(get(app, "/health"));
            assertEquals("CPU", health.get("device").asText());
            assertEquals("serving", health.get("devices").get(0).get("state").asText());
            assertTrue(health.get("devices").get(0).get("load_seconds").get("compile").asDouble() > 0, health.toString());
            assertTrue(health.get("devices").get(0).get("load_seconds").get("warmup").asDouble() > 0, health.toString());
            String metrics = get(app, "/metrics");
            assertTrue(metrics.contains("ovserve_serving_device_info{device=\"CPU\"} 1"), metrics);
            for (String phase : new String[] {"read", "transform", "compile", "warmup"}) {
                assertTrue(metrics.contains("ovserve_model_load_seconds{device=\"CPU\",phase=\"" + phase + "\"}"), phase + "\n" + metrics);
            }
            assertEquals(200, complete(app));
        }
    }

    @Test
    void theSecondDeviceTakesOverAndHealthAndMetricsFollow() throws Exception {
        try (ModelDevices devices = start("AUTO:CPU,CPU"); ServerApp app = serve(devices)) {
            assertEquals(200, complete(app)); // served by whichever device is serving now
            EngineStats s = devices.engine().stats();
            for (int i = 0; i < 500 && !s.servingDevice().equals("CPU#2"); i++) {
                Thread.sleep(10);
                s = devices.engine().stats();
            }
            assertEquals("CPU#2", s.servingDevice(), s.toString());
            assertEquals(200, complete(app));
            JsonNode health = JSON.readTree(get(app, "/health"));
            assertEquals("CPU#2", health.get("device").asText());
            assertEquals(2, devices.loads().size());
            String metrics = get(app, "/metrics");
            assertTrue(metrics.contains("ovserve_serving_device_info{device=\"CPU#2\"} 1"), metrics);
            assertTrue(metrics.contains("ovserve_model_load_seconds{device=\"CPU#2\",phase=\"warmup\"}"), metrics);
            EngineStats end = devices.engine().stats();
            assertEquals(0, end.usedBlocks(), end.toString());
        }
    }

    @Test
    void theCpuCompilesWithoutTheModelCacheItCouldNotImport() throws Exception {
        try (ModelDevices devices = start("CPU")) {
            assertTrue(!java.nio.file.Files.exists(dir.resolve("cache")) || java.nio.file.Files.list(dir.resolve("cache")).findAny().isEmpty(),
                    "nothing written to the cache on CPU");
            assertTrue(!devices.loads().getFirst().times().fromCache());
        }
    }

    @Test
    void aPlanWithNoPresentDeviceIsRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start("AUTO:GPU,NPU"));
        assertTrue(e.getMessage().contains("none of [GPU, NPU] is available"), e.getMessage());
    }

    private static ServerApp serve(ModelDevices devices) throws Exception {
        return ServerApp.start(devices.engine(), ir, devices::loads,
                new ServerApp.Settings("127.0.0.1", 0, "tiny", null, new Limits(1 << 20, 1)));
    }

    private String get(ServerApp app, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private int complete(ServerApp app) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":5}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(r.body().contains("\"completion_tokens\":5"), r.body());
        return r.statusCode();
    }
}

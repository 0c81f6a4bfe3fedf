package dev.ovserve.models.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.TinyModels;
import dev.ovserve.models.ir.WeightFormat;
import dev.ovserve.models.paged.PagedModelOptions;
import dev.ovserve.models.paged.PagedModelRunner;
import dev.ovserve.openvino.Core;
import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.scheduler.engine.EngineStats;
import dev.ovserve.scheduler.engine.EngineStats.PoolStats;
import dev.ovserve.scheduler.engine.GenerationRequest;
import dev.ovserve.scheduler.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU-to-accelerator hand-off on two real compiled models: the engine serves on a
 * latency-compiled model while a throughput-compiled one (its own KV pool) is compiled in the
 * background, then moves new sequences to it. Requests submitted before, during and after the
 * switch all produce exactly what each prompt produces alone, and both pools end empty.
 */
class HandoffOnRealModelTest {
    @TempDir
    Path dir;

    @Test
    void requestsBeforeDuringAndAfterTheSwitchAllComplete() throws Exception {
        Path ir = TinyModels.build(dir, WeightFormat.FP32);
        List<int[]> prompts = EngineOnRealModelTest.prompts();
        try (Core core = new Core()) {
            run(core, ir, prompts);
        }
    }

    private void run(Core core, Path ir, List<int[]> prompts) throws Exception {
        PagedModelRunner first = PagedModelRunner.load(core, ir, PagedModelOptions.cpu(0.01).withProperties(TinyModels.EXACT));
        List<int[]> alone = new ArrayList<>();
        CompletableFuture<ModelRunner> retired = new CompletableFuture<>();
        PagedModelRunner[] second = new PagedModelRunner[1];
        try (Engine engine = new Engine(first, "CPU", EngineOnRealModelTest.config(), Set.of())) {
            for (int[] p : prompts) { // the baseline: each prompt alone on the first device
                alone.add(EngineOnRealModelTest.greedy(engine, "alone", List.of(p)).getFirst());
            }
            Map<String, Collector> before = submit(engine, "before", prompts.subList(0, 9));
            CountDownLatch compileStarted = new CountDownLatch(1);
            Thread loader = Thread.ofPlatform().start(() -> {
                compileStarted.countDown();
                Map<String, String> props = new HashMap<>(TinyModels.EXACT);
                props.put("PERFORMANCE_HINT", "THROUGHPUT");
                second[0] = PagedModelRunner.load(core, ir, PagedModelOptions.cpu(0.02).withProperties(props));
                engine.handOff(second[0], "CPU-throughput", r -> {
                    r.close();
                    retired.complete(r);
                });
            });
            compileStarted.await();
            Map<String, Collector> during = submit(engine, "during", prompts.subList(9, prompts.size()));
            loader.join();
            Map<String, Collector> switching = submit(engine, "switching", prompts.subList(0, 6));
            assertSame(first, retired.get(60, TimeUnit.SECONDS), "the first device was retired once drained");
            Map<String, Collector> after = submit(engine, "after", prompts);

            for (Map<String, Collector> batch : List.of(before, during, switching, after)) {
                for (var e : batch.entrySet()) {
                    int i = Integer.parseInt(e.getKey().substring(e.getKey().indexOf('#') + 1));
                    e.getValue().await();
                    assertArrayEquals(alone.get(i), e.getValue().ids(0), e.getKey());
                }
            }
            EngineStats s = awaitIdle(engine);
            assertEquals("CPU-throughput", s.servingDevice());
            PoolStats serving = s.pools().get(0);
            PoolStats old = s.pools().get(1);
            assertEquals(PoolStats.State.SERVING, serving.state());
            assertEquals(PoolStats.State.RETIRED, old.state());
            for (PoolStats p : s.pools()) {
                assertEquals(0, p.usedBlocks(), "blocks left in " + p);
                assertEquals(0, p.running() + p.waiting(), p.toString());
                assertTrue(p.generatedTokens() > 0, "each device generated: " + p);
            }
            assertEquals(second[0].numBlocks(), s.totalBlocks(), "only the serving pool remains live");
            // baseline + before + during + switching + after
            long total = (long) EngineOnRealModelTest.NEW_TOKENS * (prompts.size() + 9 + (prompts.size() - 9) + 6 + prompts.size());
            assertEquals(total, serving.generatedTokens() + old.generatedTokens());
        } finally {
            if (second[0] != null) {
                second[0].close();
            }
        }
    }

    private static Map<String, Collector> submit(Engine engine, String tag, List<int[]> batch) {
        Map<String, Collector> out = new HashMap<>();
        int offset = tag.equals("during") ? 9 : 0;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            String id = tag + "#" + (i + offset);
            Collector c = new Collector(1);
            out.put(id, c);
            ids.add(id);
            engine.submit(new GenerationRequest(id, batch.get(i), SamplingParams.builder().temperature(0)
                    .maxTokens(EngineOnRealModelTest.NEW_TOKENS).ignoreEos(true).build(), c));
        }
        return out;
    }

    private static EngineStats awaitIdle(Engine engine) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            EngineStats s = engine.stats();
            if (s.running() == 0 && s.waiting() == 0 && s.usedBlocks() == 0) {
                return s;
            }
            Thread.sleep(10);
        }
        return engine.stats();
    }
}

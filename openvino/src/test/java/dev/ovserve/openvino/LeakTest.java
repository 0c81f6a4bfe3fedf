package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating and closing requests, tensors, ports and strings must not grow resident memory.
 * The batch is large enough that one leaked request or tensor per iteration (each holding
 * 128-256 KB of touched memory) would add well over the bound across 900 iterations.
 */
class LeakTest {
    static final long BOUND_KB = 50 * 1024;
    static final int ROWS = 16384;

    @TempDir
    Path dir;

    @Test
    void thousandRequestsAndTensorsDoNotLeak() throws IOException {
        try (Core core = new Core()) {
            CompiledModel compiled;
            try (Model model = core.readModel(TinyModels.writeIr(dir))) {
                model.reshape("x", PartialShape.of(ROWS, 4));
                compiled = core.compileModel(model, "CPU", InferenceTest.PROPERTIES);
            }
            try (compiled) {
                long rssAt100 = 0;
                for (int i = 1; i <= 1000; i++) {
                    iteration(compiled, i);
                    if (i == 100) {
                        rssAt100 = rssKb();
                    }
                }
                long growth = rssKb() - rssAt100;
                assertTrue(growth < BOUND_KB, "RSS grew by " + growth + " kB between iteration 100 and 1000");
            }
        }
    }

    private static void iteration(CompiledModel compiled, int i) {
        try (Arena arena = Arena.ofConfined();
             InferRequest request = compiled.createInferRequest()) {
            MemorySegment in = arena.allocate(JAVA_FLOAT, ROWS * 4L);
            in.set(JAVA_FLOAT, 0, i);
            try (Tensor wrapped = Tensor.wrap(ElementType.F32, new long[] {ROWS, 4}, in);
                 Tensor owned = Tensor.allocate(ElementType.F32, ROWS, 4);
                 Tensor runtime = Tensor.create(ElementType.F32, ROWS, 2)) {
                runtime.data().fill((byte) 0); // touch it, so a leak would be resident
                request.setTensor("x", wrapped);
                request.setTensor("y", owned);
                request.setTensor("z", runtime);
                request.infer();
                assertEquals(i * TinyModels.SCALE[0] + TinyModels.BIAS[0], owned.data().get(JAVA_FLOAT, 0), 1e-3f);
            }
            try (Tensor z = request.getTensor("z")) {
                assertEquals(ROWS * 2L, z.elementCount());
            }
            // Port handles, returned strings and error texts are freed too.
            assertEquals("x", compiled.inputs().get(0).name());
            assertEquals("LATENCY", compiled.property(PropertyKeys.PERFORMANCE_HINT));
            try {
                request.getTensor("missing");
            } catch (OpenVinoException expected) {
                assertTrue(expected.getMessage().contains("missing"));
            }
        }
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("No VmRSS in /proc/self/status");
    }
}

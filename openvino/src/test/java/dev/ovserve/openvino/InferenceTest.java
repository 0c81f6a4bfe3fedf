package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceTest {
    static final Map<String, String> PROPERTIES = Map.of(
            "PERFORMANCE_HINT", "LATENCY",
            "INFERENCE_PRECISION_HINT", "f32",
            "NUM_STREAMS", "1");

    @TempDir
    static Path dir;
    static Core core;
    static CompiledModel staticModel; // x reshaped to [2,4]
    static CompiledModel dynamicModel; // x stays [?,4]

    @BeforeAll
    static void setUp() throws Exception {
        core = new Core();
        Path xml = TinyModels.writeIr(dir);
        try (Model model = core.readModel(xml)) {
            dynamicModel = core.compileModel(model, "CPU", PROPERTIES);
            model.reshape("x", PartialShape.of(2, 4));
            staticModel = core.compileModel(model, "CPU", PROPERTIES);
        }
    }

    @AfterAll
    static void tearDown() {
        staticModel.close();
        dynamicModel.close();
        core.close();
    }

    static float[] sample(int rows, float offset) {
        float[] x = new float[rows * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = offset + i * 0.5f - 1f;
        }
        return x;
    }

    static float[] read(Tensor t) {
        return t.data().toArray(JAVA_FLOAT);
    }

    @Test
    void compiledPropertiesReadBack() {
        assertEquals("LATENCY", staticModel.property(PropertyKeys.PERFORMANCE_HINT));
        assertEquals("f32", staticModel.property(PropertyKeys.INFERENCE_PRECISION_HINT));
        assertEquals("1", staticModel.property(PropertyKeys.NUM_STREAMS));
        assertTrue(staticModel.executionDevices().contains("CPU"), staticModel.executionDevices().toString());
        assertTrue(staticModel.optimalNumberOfInferRequests() >= 1);
        assertEquals("[2,4]", staticModel.input("x").shape().toString());
        assertEquals("[2,2]", staticModel.output("z").shape().toString());
        assertEquals("[?,4]", dynamicModel.inputs().get(0).shape().toString());
    }

    @Test
    void runtimeModelHasThePorts() {
        try (Model runtime = staticModel.runtimeModel()) {
            assertEquals(1, runtime.inputs().size());
            assertEquals(2, runtime.outputs().size());
            assertFalse(runtime.handle().equals(MemorySegment.NULL));
        }
    }

    @Test
    void infersOnJavaMemory() {
        float[] x = sample(2, 0);
        try (Arena arena = Arena.ofConfined();
             InferRequest request = staticModel.createInferRequest()) {
            MemorySegment input = arena.allocateFrom(JAVA_FLOAT, x);
            try (Tensor tensor = Tensor.wrap(ElementType.F32, new long[] {2, 4}, input)) {
                request.setTensor("x", tensor);
                request.infer();
                try (Tensor y = request.getTensor("y"); Tensor z = request.getOutputTensor(1)) {
                    assertArrayEquals(new long[] {2, 4}, y.shape());
                    assertEquals(ElementType.F32, y.elementType());
                    assertEquals(8 * 4, y.byteSize());
                    assertEquals(8, y.elementCount());
                    assertArrayEquals(TinyModels.expectedY(x), read(y), 1e-5f);
                    assertArrayEquals(TinyModels.expectedZ(x), read(z), 1e-5f);
                }
            }
        }
    }

    @Test
    void asyncEqualsSync() {
        float[] x = sample(2, 3);
        try (InferRequest sync = staticModel.createInferRequest();
             InferRequest async = staticModel.createInferRequest();
             Tensor input = Tensor.allocate(ElementType.F32, 2, 4)) {
            MemorySegment.copy(x, 0, input.data(), JAVA_FLOAT, 0, x.length);
            sync.setInputTensor(0, input);
            async.setInputTensor(0, input);
            sync.infer();
            async.startAsync();
            async.waitForCompletion();
            assertTrue(async.waitFor(Duration.ofSeconds(10)));
            try (Tensor a = sync.getOutputTensor(0); Tensor b = async.getOutputTensor(0);
                 Tensor c = sync.getTensor("z"); Tensor d = async.getTensor("z")) {
                assertArrayEquals(read(a), read(b));
                assertArrayEquals(read(c), read(d));
                assertArrayEquals(TinyModels.expectedY(x), read(b), 1e-5f);
            }
        }
    }

    @Test
    void zeroCopyInputAndOutput() {
        try (Arena arena = Arena.ofConfined();
             InferRequest request = staticModel.createInferRequest()) {
            MemorySegment in = arena.allocate(JAVA_FLOAT, 8);
            MemorySegment out = arena.allocate(JAVA_FLOAT, 8);
            try (Tensor input = Tensor.wrap(ElementType.F32, new long[] {2, 4}, in);
                 Tensor output = Tensor.wrap(ElementType.F32, new long[] {2, 4}, out)) {
                request.setTensor("x", input);
                request.setTensor("y", output);
                float[] x1 = sample(2, 0);
                MemorySegment.copy(x1, 0, in, JAVA_FLOAT, 0, 8);
                request.infer();
                assertArrayEquals(TinyModels.expectedY(x1), out.toArray(JAVA_FLOAT), 1e-5f);

                // Write into the Java segment after set_tensor: the runtime reads it in place.
                float[] x2 = sample(2, 10);
                MemorySegment.copy(x2, 0, in, JAVA_FLOAT, 0, 8);
                request.infer();
                assertArrayEquals(TinyModels.expectedY(x2), out.toArray(JAVA_FLOAT), 1e-5f);
                try (Tensor y = request.getTensor("y")) {
                    assertEquals(out.address(), y.data().address(), "output lands in the Java segment");
                }
            }
        }
    }

    @Test
    void dynamicBatchWithSetShape() {
        try (InferRequest request = dynamicModel.createInferRequest();
             Tensor input = Tensor.allocate(ElementType.F32, 3, 4)) {
            for (int rows : new int[] {3, 1, 2}) {
                input.setShape(rows, 4);
                float[] x = sample(rows, rows);
                MemorySegment.copy(x, 0, input.data(), JAVA_FLOAT, 0, x.length);
                request.setTensor("x", input);
                request.infer();
                try (Tensor z = request.getTensor("z")) {
                    assertArrayEquals(new long[] {rows, 2}, z.shape());
                    assertArrayEquals(TinyModels.expectedZ(x), read(z), 1e-4f);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> input.setShape(4, 4));
        }
    }

    @Test
    void runtimeOwnedTensorsAndViews() {
        try (InferRequest request = staticModel.createInferRequest()) {
            Tensor input = Tensor.create(ElementType.F32, 2, 4);
            float[] x = sample(2, 1);
            MemorySegment view = input.data();
            MemorySegment.copy(x, 0, view, JAVA_FLOAT, 0, 8);
            request.setTensor("x", input);
            input.close(); // the request keeps the runtime's memory alive
            assertThrows(IllegalStateException.class, () -> view.get(JAVA_FLOAT, 0), "view closed with tensor");
            request.infer();
            try (Tensor y = request.getTensor("y")) {
                assertArrayEquals(TinyModels.expectedY(x), read(y), 1e-5f);
            }
        }
    }

    @Test
    void cancelIdleRequestIsHarmless() {
        try (InferRequest request = staticModel.createInferRequest();
             Tensor input = Tensor.allocate(ElementType.F32, 2, 4)) {
            request.setTensor("x", input);
            request.cancel();
            request.infer();
        }
    }
}

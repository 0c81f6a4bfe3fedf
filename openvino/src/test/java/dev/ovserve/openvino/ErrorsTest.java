package dev.ovserve.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorsTest {
    @TempDir
    static Path dir;
    static Core core;
    static CompiledModel compiled;

    @BeforeAll
    static void setUp() throws Exception {
        core = new Core();
        try (Model model = core.readModel(TinyModels.writeIr(dir))) {
            model.reshape("x", PartialShape.of(2, 4));
            compiled = core.compileModel(model, "CPU");
        }
    }

    @AfterAll
    static void tearDown() {
        compiled.close();
        core.close();
    }

    @Test
    void missingModelFileCarriesTheRuntimeText() {
        Path missing = dir.resolve("does-not-exist.xml");
        OpenVinoException e = assertThrows(OpenVinoException.class, () -> core.readModel(missing));
        assertEquals("ov_core_read_model", e.function());
        assertEquals(Status.GENERAL_ERROR, e.status());
        assertNotNull(e.runtimeMessage());
        assertTrue(e.runtimeMessage().contains("does-not-exist.xml"), e.runtimeMessage());
        assertTrue(e.getMessage().contains(e.runtimeMessage().strip()), e.getMessage());
        assertTrue(e.getMessage().startsWith("ov_core_read_model failed: GENERAL_ERROR"), e.getMessage());
    }

    @Test
    void wrongTensorName() {
        try (InferRequest request = compiled.createInferRequest();
             Tensor tensor = Tensor.allocate(ElementType.F32, 2, 4)) {
            OpenVinoException e = assertThrows(OpenVinoException.class, () -> request.setTensor("no_such_input", tensor));
            assertEquals("ov_infer_request_set_tensor", e.function());
            assertTrue(e.getMessage().contains("no_such_input"), e.getMessage());
            assertThrows(OpenVinoException.class, () -> request.getTensor("no_such_output"));
        }
    }

    @Test
    void wrongShapeOrTypeIsRejected() {
        try (InferRequest request = compiled.createInferRequest();
             Tensor wrongType = Tensor.allocate(ElementType.I32, 2, 4)) {
            OpenVinoException e = assertThrows(OpenVinoException.class, () -> {
                request.setTensor("x", wrongType);
                request.infer();
            });
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void unknownDeviceAndProperty() {
        try (Model model = core.readModel(dir.resolve("tiny.xml"))) {
            OpenVinoException e = assertThrows(OpenVinoException.class, () -> core.compileModel(model, "NO_SUCH_DEVICE"));
            assertEquals("ov_core_compile_model", e.function());
        }
        assertThrows(OpenVinoException.class, () -> compiled.property("NO_SUCH_PROPERTY"));
    }

    @Test
    void closedHandlesFailInJava() {
        InferRequest request = compiled.createInferRequest();
        request.close();
        request.close();
        assertThrows(IllegalStateException.class, request::infer);
        Tensor tensor = Tensor.allocate(ElementType.F32, 1);
        tensor.close();
        assertThrows(IllegalStateException.class, tensor::shape);
    }

    @Test
    void heapOrShortSegmentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(ElementType.F32, new long[] {2},
                java.lang.foreign.MemorySegment.ofArray(new float[2])));
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class,
                    () -> Tensor.wrap(ElementType.F32, new long[] {3}, arena.allocate(8)));
        }
    }
}

package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads an ONNX model through the same ov_core_read_model call; the protobuf is hand-encoded here. */
class OnnxTest {
    static final float[] C = {1f, 2f, 3f};

    @TempDir
    Path dir;

    @Test
    void readsAndRunsOnnx() throws Exception {
        Path onnx = dir.resolve("add.onnx");
        Files.write(onnx, addModel());
        try (Core core = new Core(); Model model = core.readModel(onnx)) {
            Port x = model.inputs().get(0);
            assertEquals("x", x.name());
            assertEquals(ElementType.F32, x.elementType());
            assertEquals("[?,3]", x.shape().toString());
            assertEquals(List.of("y"), model.outputs().stream().map(Port::name).toList());
            try (CompiledModel compiled = core.compileModel(model, "CPU");
                 InferRequest request = compiled.createInferRequest();
                 Tensor input = Tensor.allocate(ElementType.F32, 2, 3)) {
                float[] in = {0f, 1f, 2f, -3f, -4f, 0.5f};
                input.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(in));
                request.setTensor("x", input);
                request.infer();
                try (Tensor y = request.getTensor("y")) {
                    float[] expected = new float[6];
                    for (int i = 0; i < 6; i++) {
                        expected[i] = in[i] + C[i % 3];
                    }
                    assertArrayEquals(expected, y.data().toArray(JAVA_FLOAT), 1e-6f);
                }
            }
        }
    }

    /** ModelProto for {@code y = Add(x, c)}, x float [N,3], c an initializer, opset 13. */
    static byte[] addModel() {
        ByteBuffer raw = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : C) {
            raw.putFloat(f);
        }
        Proto initializer = new Proto().varint(1, 3).varint(2, 1 /* FLOAT */).string(8, "c").bytes(9, raw.array());
        Proto node = new Proto().string(1, "x").string(1, "c").string(2, "y").string(3, "add").string(4, "Add");
        Proto graph = new Proto()
                .message(1, node)
                .string(2, "tiny_onnx")
                .message(5, initializer)
                .message(11, valueInfo("x"))
                .message(12, valueInfo("y"));
        return new Proto()
                .varint(1, 7) // ir_version
                .string(2, "ovserve-test")
                .message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 13))
                .toBytes();
    }

    private static Proto valueInfo(String name) {
        Proto shape = new Proto()
                .message(1, new Proto().string(2, "N"))
                .message(1, new Proto().varint(1, 3));
        Proto tensorType = new Proto().varint(1, 1 /* FLOAT */).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** Just enough protobuf wire format: varints and length-delimited fields. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            tag(field, 0);
            rawVarint(value);
            return this;
        }

        Proto bytes(int field, byte[] value) {
            tag(field, 2);
            rawVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.toBytes());
        }

        byte[] toBytes() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            rawVarint(((long) field << 3) | wireType);
        }

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}

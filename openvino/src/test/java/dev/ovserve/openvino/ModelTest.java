package dev.ovserve.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTest {
    @TempDir
    static Path dir;
    static Core core;
    static Path xml;

    @BeforeAll
    static void setUp() throws Exception {
        core = new Core();
        xml = TinyModels.writeIr(dir);
    }

    @AfterAll
    static void tearDown() {
        core.close();
    }

    @Test
    void readsPortsOfTheIr() {
        try (Model model = core.readModel(xml)) {
            assertEquals("tiny", model.friendlyName());
            assertTrue(model.isDynamic());
            List<Port> inputs = model.inputs();
            assertEquals(1, inputs.size());
            Port x = inputs.get(0);
            assertEquals("x", x.name());
            assertEquals(0, x.index());
            assertEquals(ElementType.F32, x.elementType());
            assertEquals("[?,4]", x.shape().toString());
            assertArrayEquals(new long[] {-1, 4}, x.shape().dims());
            assertEquals(Dimension.DYNAMIC, x.shape().dimension(0));

            List<Port> outputs = model.outputs();
            assertEquals(List.of("y", "z"), outputs.stream().map(Port::name).toList());
            assertEquals("[?,4]", outputs.get(0).shape().toString());
            assertEquals("[?,2]", outputs.get(1).shape().toString());
            assertEquals(ElementType.F32, model.output("z").elementType());
        }
    }

    @Test
    void readsWithAnExplicitWeightsFile() {
        try (Model model = core.readModel(xml, dir.resolve("tiny.bin"))) {
            assertEquals(2, model.outputs().size());
        }
    }

    @Test
    void reshapesToStaticAndToBounds() {
        try (Model model = core.readModel(xml)) {
            model.reshape(Map.of("x", PartialShape.of(3, 4)));
            assertFalse(model.isDynamic());
            assertEquals("[3,4]", model.input("x").shape().toString());
            assertEquals(Shape.of(3, 2), model.output("z").shape().toShape());

            model.reshape("x", PartialShape.of(Dimension.bounded(1, 8), Dimension.of(4)));
            assertTrue(model.isDynamic());
            PartialShape bounded = model.input("x").shape();
            assertEquals("[1..8,4]", bounded.toString());
            assertEquals(new Dimension(1, 8), bounded.dimension(0));
            assertEquals("[1..8,2]", model.output("z").shape().toString());

            model.reshape("x", PartialShape.of(-1, 4));
            assertEquals("[?,4]", model.input("x").shape().toString());
        }
    }
}

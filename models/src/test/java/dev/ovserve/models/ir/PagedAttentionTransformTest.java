package dev.ovserve.models.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.TinyModels;
import dev.ovserve.openvino.Core;
import dev.ovserve.openvino.Model;
import dev.ovserve.openvino.OpenVinoException;
import dev.ovserve.openvino.PagedAttentionHelper;
import dev.ovserve.openvino.Port;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native helper applies SDPAToPagedAttention to our converted model read through the C API. */
class PagedAttentionTransformTest {
    @TempDir
    Path dir;

    @Test
    void everyAttentionBecomesPagedAttention() throws Exception {
        Path ir = TinyModels.build(dir, WeightFormat.FP16);
        int layers = TinyModels.SHAPE.layers();
        try (Core core = new Core(); Model model = core.readModel(ir.resolve(Gpt2IrConverter.XML))) {
            Map<String, Integer> before = PagedAttentionHelper.opCounts(model);
            assertEquals(layers, before.get("ScaledDotProductAttention"));
            assertEquals(2 * layers, before.get("ReadValue"));
            assertEquals(2 * layers, before.get("Assign"));

            PagedAttentionHelper.sdpaToPagedAttention(model);

            Map<String, Integer> after = PagedAttentionHelper.opCounts(model);
            assertEquals(layers, after.get("PagedAttentionExtension"), after.toString());
            assertFalse(after.containsKey("ScaledDotProductAttention"), after.toString());
            assertFalse(after.containsKey("ReadValue"), "no KV state left: " + after);
            assertFalse(after.containsKey("Assign"), "no KV state left: " + after);

            List<Port> inputs = model.inputs();
            Set<String> names = inputs.stream().map(Port::name).collect(Collectors.toSet());
            System.out.println("paged model inputs: " + inputs);
            assertTrue(names.containsAll(Set.of("input_ids", "position_ids", "past_lens", "subsequence_begins",
                    "block_indices", "block_indices_begins", "max_context_len")), names.toString());
            for (int i = 0; i < layers; i++) {
                assertTrue(names.contains("key_cache." + i) && names.contains("value_cache." + i), names.toString());
            }
            assertFalse(names.contains("attention_mask") || names.contains("beam_idx"), names.toString());
            assertEquals(1, model.input("input_ids").shape().rank(), "tokens of all sequences are packed in one dimension");
        }
    }

    @Test
    void aModelWithoutStateIsRefusedWithTheRuntimeMessage() throws Exception {
        Path xml = dir.resolve("plain.xml");
        try (IrGraph g = new IrGraph(dir.resolve("plain.bin"))) {
            IrGraph.Out x = g.parameter("x", IrType.F32, "?,4");
            g.result("y", g.op("relu", "Relu", "opset1", Map.of(), x));
            g.writeXml(xml, "plain", Map.of());
        }
        try (Core core = new Core(); Model model = core.readModel(xml)) {
            OpenVinoException e = assertThrows(OpenVinoException.class, () -> PagedAttentionHelper.sdpaToPagedAttention(model));
            assertTrue(e.getMessage().contains("stateful"), e.getMessage());
        }
    }
}

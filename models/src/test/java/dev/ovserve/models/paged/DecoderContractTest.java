package dev.ovserve.models.paged;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.ir.IrGraph;
import dev.ovserve.models.ir.IrType;
import dev.ovserve.openvino.Core;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IRs that are not stateful decoders are refused at load, naming what they lack. */
class DecoderContractTest {
    @TempDir
    Path dir;

    /** input_ids → Convert → a Result named {@code output}, plus {@code beam_idx} when asked. */
    private Path writeIr(String name, String output, boolean beamIdx) {
        Path d = dir.resolve(name);
        try {
            Files.createDirectories(d);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (IrGraph g = new IrGraph(d.resolve("openvino_model.bin"))) {
            var ids = g.parameter("input_ids", IrType.I64, "?,?");
            g.result(output, g.op("to_f32", "Convert", "opset1", IrGraph.attrs("destination_type", "f32"), ids));
            if (beamIdx) {
                var beam = g.parameter("beam_idx", IrType.I32, "?");
                g.result("beam_out", g.op("beam_f32", "Convert", "opset1", IrGraph.attrs("destination_type", "f32"), beam));
            }
            g.writeXml(d.resolve("openvino_model.xml"), name, Map.of());
        }
        return d;
    }

    @Test
    void anEncoderIsRefusedNamingTheMissingStateAndLogits() {
        Path encoder = writeIr("encoder", "last_hidden_state", false);
        try (Core core = new Core()) {
            var e = assertThrows(IllegalArgumentException.class, () -> PagedModelRunner.load(core, encoder, PagedModelOptions.cpu(0.001)));
            assertTrue(e.getMessage().contains("not a stateful decoder"), e.getMessage());
            assertTrue(e.getMessage().contains("'beam_idx'") && e.getMessage().contains("'logits'"), e.getMessage());
            assertTrue(!e.getMessage().contains("'input_ids'"), "input_ids is there: " + e.getMessage());
        }
    }

    @Test
    void aDecoderShapedIrWithoutAttentionIsRefused() {
        Path noAttention = writeIr("no-sdpa", "logits", true);
        try (Core core = new Core()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> PagedModelRunner.load(core, noAttention, PagedModelOptions.cpu(0.001)));
            assertTrue(e.getMessage().contains("cannot be served with paged attention")
                    && e.getMessage().contains("stateful"), e.getMessage());
        }
    }
}

package dev.ovserve.models.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.RandomGpt2Generator;
import dev.ovserve.models.StatefulModel;
import dev.ovserve.models.StatefulSession;
import dev.ovserve.models.TinyModels;
import dev.ovserve.models.reference.Gpt2Reference;
import dev.ovserve.openvino.CompiledModel;
import dev.ovserve.openvino.Core;
import dev.ovserve.openvino.Model;
import dev.ovserve.openvino.PagedAttentionHelper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** INT8/INT4 IRs load, run, stay close to the FP32 reference, are smaller, and survive the paged transform. */
class CompressedWeightsTest {
    @TempDir
    Path dir;

    @Test
    void int8AndInt4ModelsRunCloseToTheReference() throws Exception {
        Path hf = dir.resolve("hf");
        new RandomGpt2Generator(TinyModels.SHAPE, TinyModels.SEED, TinyModels.STD).writeTo(hf);
        Gpt2Reference reference = Gpt2Reference.load(hf);
        int[] prompt = IntStream.range(0, 24).map(i -> (i * 37 + 5) % TinyModels.SHAPE.vocab()).toArray();
        float[][] expected = reference.logits(prompt);
        long fp32Bytes = 0;
        try (Core core = new Core()) {
            for (WeightFormat format : new WeightFormat[] {WeightFormat.FP32, WeightFormat.INT8, WeightFormat.INT4}) {
                Path ir = dir.resolve(format.name());
                Gpt2IrConverter.convert(hf, ir, format, 32);
                long bytes = Files.size(ir.resolve(Gpt2IrConverter.BIN));
                if (format == WeightFormat.FP32) {
                    fp32Bytes = bytes;
                }
                try (Model m = core.readModel(ir.resolve(Gpt2IrConverter.XML))) {
                    Map<String, Integer> ops = PagedAttentionHelper.opCounts(m);
                    PagedAttentionHelper.sdpaToPagedAttention(m);
                    assertEquals(TinyModels.SHAPE.layers(), PagedAttentionHelper.opCounts(m).get("PagedAttentionExtension"));
                    System.out.println(format + ": " + bytes + " bytes, Convert ops " + ops.get("Convert"));
                }
                try (StatefulModel lm = StatefulModel.load(core, ir, "CPU", TinyModels.EXACT); StatefulSession s = lm.newSession()) {
                    float[] got = s.append(prompt);
                    int vocab = lm.vocabSize();
                    int agree = 0;
                    double worst = 0;
                    for (int t = 0; t < prompt.length; t++) {
                        float[] row = java.util.Arrays.copyOfRange(got, t * vocab, (t + 1) * vocab);
                        agree += Gpt2Reference.argmax(row) == Gpt2Reference.argmax(expected[t]) ? 1 : 0;
                        for (int v = 0; v < vocab; v++) {
                            worst = Math.max(worst, Math.abs(row[v] - expected[t][v]));
                        }
                    }
                    System.out.printf("%s: top-1 agreement %d/%d, max abs logit difference %.4f%n", format, agree, prompt.length, worst);
                    switch (format) {
                        case FP32 -> assertTrue(worst < 1e-3);
                        case INT8 -> assertTrue(agree >= prompt.length * 5 / 6 && worst < 0.5, format + " " + agree + " " + worst);
                        default -> { } // random weights hold no structure for 4 bits to keep; exactness is checked below
                    }
                    if (format == WeightFormat.FP32) {
                        continue;
                    }
                    // The independent check of the decompression subgraph: the reference model run on
                    // weights quantized and dequantized in Java must match the compressed IR closely.
                    float[][] onDequantized = Gpt2Reference.load(DequantizedCopy.write(hf, dir.resolve(format + "-dq"), format, 32))
                            .logits(prompt);
                    double gap = 0;
                    for (int t = 0; t < prompt.length; t++) {
                        for (int v = 0; v < vocab; v++) {
                            gap = Math.max(gap, Math.abs(got[t * vocab + v] - onDequantized[t][v]));
                        }
                    }
                    System.out.printf("%s: max abs difference to the reference on dequantized weights %.5f%n", format, gap);
                    assertTrue(gap < 2e-3, format + " differs from the reference on the same dequantized weights by " + gap);
                }
                if (format != WeightFormat.FP32) {
                    // Fusion: the plugin's matrix kernels read the compressed codes, not f32 copies.
                    try (Model m = core.readModel(ir.resolve(Gpt2IrConverter.XML));
                         CompiledModel cm = core.compileModel(m, "CPU", Map.of());
                         Model runtime = cm.runtimeModel()) {
                        Map<String, Integer> layers = PagedAttentionHelper.layerPrecisions(runtime);
                        System.out.println(format + " runtime layers: " + layers);
                        String compressed = format == WeightFormat.INT8 ? "FullyConnected/u8" : "FullyConnected/i4";
                        assertTrue(layers.getOrDefault(compressed, 0) >= 4 * TinyModels.SHAPE.layers(), layers.toString());
                        assertFalse(layers.containsKey("FullyConnected/f32"), "weights folded to f32: " + layers);
                    }
                    assertTrue(bytes < fp32Bytes / (format == WeightFormat.INT8 ? 3 : 4), format + " IR " + bytes + " vs fp32 " + fp32Bytes);
                }
            }
        }
    }
}

package dev.ovserve.models.ir;

import dev.ovserve.models.quant.QuantizedMatrix;
import dev.ovserve.models.quant.Quantizer;
import dev.ovserve.models.safetensors.DType;
import dev.ovserve.models.safetensors.SafetensorsFile;
import dev.ovserve.models.safetensors.SafetensorsWriter;
import dev.ovserve.models.safetensors.TensorInfo;
import dev.ovserve.models.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of a Hugging Face GPT-2 whose weights went through the same quantization the converter
 * applies, dequantized in plain Java: what the compressed IR should compute, for the reference.
 */
final class DequantizedCopy {
    private DequantizedCopy() {}

    static Path write(Path hf, Path out, WeightOptions options) throws IOException {
        Files.createDirectories(out);
        for (String f : List.of("config.json", "generation_config.json")) {
            if (Files.exists(hf.resolve(f))) {
                Files.copy(hf.resolve(f), out.resolve(f));
            }
        }
        try (SafetensorsFile in = SafetensorsFile.open(hf.resolve("model.safetensors"))) {
            List<TensorSpec> specs = new ArrayList<>();
            for (TensorInfo t : in.tensors()) {
                specs.add(TensorSpec.of(t.name(), DType.F32, t.shape()));
            }
            try (SafetensorsWriter w = SafetensorsWriter.create(out.resolve("model.safetensors"), specs)) {
                for (TensorInfo t : in.tensors()) {
                    w.writeFloats(t.name(), transform(t.name(), in.readFloats(t.name()), t.shape(), options));
                }
            }
        }
        return out;
    }

    private static float[] transform(String name, float[] v, long[] shape, WeightOptions options) {
        if (shape.length != 2) {
            return v; // biases and layer norms stay f32 in the IR
        }
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        if (name.endsWith("wte.weight") || name.endsWith("wpe.weight")) {
            return backup(v, rows, cols, options);
        }
        // Conv1D [in, out]: the converter quantizes the transposed [out, in] matrix.
        float[] t = WeightWriter.transpose(v, rows, cols);
        float[] d = options.format() == WeightFormat.INT4 && rows % options.groupSize() == 0
                ? dequantize(Quantizer.quantize(t, cols, rows, 4, options.symmetric(), options.groupSize()))
                : backup(t, cols, rows, options);
        return WeightWriter.transpose(d, cols, rows);
    }

    private static float[] backup(float[] v, int rows, int cols, WeightOptions options) {
        if (options.format() == WeightFormat.INT8) {
            return dequantize(Quantizer.quantize(v, rows, cols, 8, options.symmetric(), cols));
        }
        return switch (options.backup()) {
            case INT8 -> dequantize(Quantizer.int8Asymmetric(v, rows, cols));
            case FP16 -> {
                float[] h = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    h[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
                }
                yield h;
            }
            default -> v;
        };
    }

    private static float[] dequantize(QuantizedMatrix m) {
        float[] out = new float[m.rows() * m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            for (int col = 0; col < m.cols(); col++) {
                out[r * m.cols() + col] = m.dequantize(r, col);
            }
        }
        return out;
    }
}

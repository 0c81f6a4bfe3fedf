package dev.ovserve.models;

import dev.ovserve.models.safetensors.SafetensorsWriter;
import dev.ovserve.models.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/** What the random-model generators share: seeded Gaussian tensors and the safetensors file they go to. */
final class RandomWeights {
    private RandomWeights() {}

    /** N(mean, std) values for {@code spec}, from a stream that depends only on the seed and the tensor's name. */
    static float[] gaussian(long seed, TensorSpec spec, double mean, double std) {
        SplittableRandom random = new SplittableRandom(streamSeed(seed, spec.name()));
        float[] values = new float[Math.toIntExact(spec.elementCount())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (mean + std * random.nextGaussian());
        }
        return values;
    }

    /** Writes every tensor, one in memory at a time (the distilgpt2 shape is ~330 MB as F32). */
    static void write(Path file, List<TensorSpec> specs, Function<TensorSpec, float[]> tensor) throws IOException {
        try (SafetensorsWriter writer = SafetensorsWriter.create(file, specs, Map.of("format", "pt"))) {
            for (TensorSpec spec : specs) {
                writer.writeFloats(spec.name(), tensor.apply(spec));
            }
        }
    }

    /** Mixes the seed with a 64-bit FNV-1a hash of the name so tensors get independent streams. */
    private static long streamSeed(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return new SplittableRandom(seed ^ h).nextLong();
    }
}

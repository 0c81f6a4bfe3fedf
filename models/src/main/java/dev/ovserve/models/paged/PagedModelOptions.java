package dev.ovserve.models.paged;

import java.util.Map;

/**
 * How to load a model for paged serving.
 *
 * @param kvCacheGiB  memory for the KV cache across all layers
 * @param blockSize   tokens per KV block; 0 takes the plugin's choice (32 on CPU)
 * @param properties  extra compile properties; PERFORMANCE_HINT defaults to LATENCY
 */
public record PagedModelOptions(String device, double kvCacheGiB, int blockSize, Map<String, String> properties) {
    public PagedModelOptions {
        if (!(kvCacheGiB > 0)) {
            throw new IllegalArgumentException("--kv-cache-size must be positive, got " + kvCacheGiB);
        }
        if (blockSize < 0) {
            throw new IllegalArgumentException("--block-size must be positive, got " + blockSize);
        }
        properties = Map.copyOf(properties);
    }

    public static PagedModelOptions cpu(double kvCacheGiB) {
        return new PagedModelOptions("CPU", kvCacheGiB, 0, Map.of());
    }

    public PagedModelOptions withProperties(Map<String, String> more) {
        var merged = new java.util.LinkedHashMap<>(properties);
        merged.putAll(more);
        return new PagedModelOptions(device, kvCacheGiB, blockSize, merged);
    }
}

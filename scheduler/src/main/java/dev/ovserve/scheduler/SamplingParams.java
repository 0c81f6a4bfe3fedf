package dev.ovserve.scheduler;

/**
 * How one request turns logits into tokens. Temperature 0 means greedy.
 *
 * @param seed null for a fresh random seed per request
 */
public record SamplingParams(double temperature, double topP, Long seed) {
    public static final SamplingParams GREEDY = new SamplingParams(0, 1, null);

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}

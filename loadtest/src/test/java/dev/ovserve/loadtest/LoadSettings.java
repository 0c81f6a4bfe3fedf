package dev.ovserve.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a simulation runs against and how hard, read from system properties (-Dname=value) so
 * one compiled simulation serves ovserve and its peers. {@code loadtest/gatling.sh} sets them.
 *
 * @param baseUrl server root, e.g. http://127.0.0.1:8000
 * @param model the "model" field sent with every request
 * @param apiKey bearer token, empty for none
 * @param workload closed (users concurrent, each sends again when done) or open (rate arrivals/s)
 * @param users concurrent users of the closed workload
 * @param rate arrivals per second of the open workload
 * @param duration how long users are injected
 * @param mix prompt and output lengths, see {@link PromptMix#parse}
 * @param sharedPrefix tokens every prompt starts with (prefix-caching workloads)
 * @param eosToken token id whose logit is pushed to -100 so every request runs its full length; -1 for none
 * @param suppressTokens more ids pushed to -100 (from a JSON list in the file {@code suppressTokensFile}),
 *     e.g. pieces of UTF-8 characters, which some servers hold back from a stream
 * @param disconnectShare share of streaming users that hang up after the first event
 * @param firstEventP95Ms assertion: 95th percentile of time to first event, 0 for none
 * @param fullStreamP95Ms assertion: 95th percentile of full-stream time, 0 for none
 * @param seed feeder seed, so runs against different servers see the same prompts
 */
record LoadSettings(String baseUrl, String model, String apiKey, Workload workload, int users, double rate, Duration duration,
        String mix, int sharedPrefix, int eosToken, List<Integer> suppressTokens, double disconnectShare, long firstEventP95Ms, long fullStreamP95Ms, long seed) {

    enum Workload { CLOSED, OPEN }

    static LoadSettings fromSystemProperties() {
        return fromSystemProperties(Map.of());
    }

    /** As set on the command line, else as in {@code defaults}, else the general defaults. */
    static LoadSettings fromSystemProperties(Map<String, String> defaults) {
        java.util.function.BiFunction<String, String, String> text = (name, fallback) -> {
            String value = System.getProperty(name);
            return value == null || value.isBlank() ? defaults.getOrDefault(name, fallback) : value.strip();
        };
        return new LoadSettings(
                text.apply("baseUrl", "http://127.0.0.1:8000"),
                text.apply("model", "ovserve"),
                text.apply("apiKey", ""),
                Workload.valueOf(text.apply("workload", "closed").toUpperCase(Locale.ROOT)),
                Integer.parseInt(text.apply("users", "4")),
                Double.parseDouble(text.apply("rate", "1")),
                Duration.ofSeconds(Long.parseLong(text.apply("durationSeconds", "60"))),
                text.apply("mix", "128:128"),
                Integer.parseInt(text.apply("sharedPrefix", "0")),
                Integer.parseInt(text.apply("eosToken", "50256")),
                tokenList(text.apply("suppressTokensFile", "")),
                Double.parseDouble(text.apply("disconnectShare", "0")),
                Long.parseLong(text.apply("firstEventP95Ms", "0")),
                Long.parseLong(text.apply("fullStreamP95Ms", "0")),
                Long.parseLong(text.apply("seed", "1")));
    }

    private static List<Integer> tokenList(String file) {
        if (file.isEmpty()) {
            return List.of();
        }
        try {
            return List.of(new ObjectMapper().readValue(Path.of(file).toFile(), Integer[].class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read suppressTokensFile " + file, e);
        }
    }

    String describe() {
        String load = workload == Workload.CLOSED ? users + " concurrent users" : rate + " arrivals/s";
        return "%s, %s for %ds, mix %s, shared prefix %d, disconnect share %.2f, model %s".formatted(
                baseUrl, load, duration.toSeconds(), mix, sharedPrefix, disconnectShare, model)
                + (suppressTokens.isEmpty() ? "" : ", " + suppressTokens.size() + " token ids suppressed");
    }
}

package dev.ovserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovserve.models.TinyModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ovserve serve --log-format json` in a child JVM: every line it writes, from loading the model
 * (java.util.logging in the models module) through serving to the SIGTERM drain, is one JSON
 * object with a timestamp, a level, a logger and a message.
 */
class LogFormatJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @Test
    void everyLineIsOneJsonObjectFromStartToDrain() throws Exception {
        Path hf = dir.resolve("hf");
        Path ir = dir.resolve("ir");
        var s = TinyModels.SHAPE;
        assertEquals(0, CliEndToEndTest.run("random-model", "--out", hf.toString(), "--layers", "" + s.layers(), "--heads",
                "" + s.heads(), "--hidden", "" + s.hidden(), "--vocab", "" + s.vocab(), "--context", "" + s.context(),
                "--seed", "" + TinyModels.SEED, "--init-std", "" + TinyModels.STD, "--tokenizer", "bytes").status());
        assertEquals(0, CliEndToEndTest.run("convert", "--in", hf.toString(), "--out", ir.toString(), "--weights", "fp32").status());

        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED", "-Dovserve.home=" + System.getProperty("ovserve.home"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "serve", "--model", ir.toString(), "--device", "CPU",
                "--kv-cache-size", "0.01", "--port", "0", "--log-format", "json");
        Process p = new ProcessBuilder(cmd).start();
        List<JsonNode> lines = new ArrayList<>();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            Pattern serving = Pattern.compile("at http://[^:]+:(\\d+)");
            int port = -1;
            for (String line; port < 0 && (line = err.readLine()) != null; ) {
                JsonNode event = parse(line);
                lines.add(event);
                Matcher m = serving.matcher(event.path("message").asText());
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, () -> "the server said where it serves: " + lines);
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());

            // SIGTERM (Process.destroy would close our end of the pipes): the drain logs too.
            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
            for (String line; (line = err.readLine()) != null; ) {
                lines.add(parse(line));
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the server stopped after SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        for (JsonNode event : lines) {
            for (String field : new String[] {"@timestamp", "level", "logger_name", "message"}) {
                assertTrue(event.path(field).isTextual(), () -> field + " in " + event);
            }
        }
        assertTrue(lines.stream().anyMatch(e -> e.path("logger_name").asText().startsWith("dev.ovserve.models")
                && e.path("level").asText().equals("INFO")), () -> "java.util.logging from loading the model, bridged: " + lines);
        assertTrue(lines.stream().anyMatch(e -> e.path("message").asText().contains("shutting down")), () -> "the drain: " + lines);
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            assertTrue(node != null && node.isObject(), () -> "a JSON object: " + line);
            return node;
        } catch (java.io.IOException e) {
            throw new AssertionError("not one JSON object: " + line, e);
        }
    }
}

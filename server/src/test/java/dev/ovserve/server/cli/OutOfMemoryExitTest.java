package dev.ovserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovserve.models.TinyModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ovserve serve` in a child JVM with the launcher's JVM flags and a tiny heap: a request whose
 * body does not fit the heap makes the process exit non-zero (so a supervisor restarts it)
 * instead of living on as a zombie that answers 503.
 */
class OutOfMemoryExitTest {
    @TempDir
    static Path dir;

    @Test
    void theServerExitsNonZeroWhenTheJvmRunsOutOfMemory() throws Exception {
        Path launcher = Path.of(System.getProperty("ovserve.root")).resolve("ovserve");
        String script = Files.readString(launcher);
        assertTrue(script.contains("-XX:+ExitOnOutOfMemoryError"), "the launcher makes the JVM exit on OOM");

        Path hf = dir.resolve("hf");
        Path ir = dir.resolve("ir");
        var s = TinyModels.SHAPE;
        assertEquals(0, CliEndToEndTest.run("random-model", "--out", hf.toString(), "--layers", "" + s.layers(), "--heads",
                "" + s.heads(), "--hidden", "" + s.hidden(), "--vocab", "" + s.vocab(), "--context", "" + s.context(),
                "--seed", "" + TinyModels.SEED, "--init-std", "" + TinyModels.STD, "--tokenizer", "bytes").status());
        assertEquals(0, CliEndToEndTest.run("convert", "--in", hf.toString(), "--out", ir.toString(), "--weights", "fp32").status());

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-XX:MaxDirectMemorySize=256m", "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED",
                "-Dovserve.home=" + System.getProperty("ovserve.home"), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--model", ir.toString(), "--device", "CPU", "--kv-cache-size", "0.01",
                "--port", "0", "--max-body-bytes", "200000000"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder log = new StringBuilder();
            Pattern serving = Pattern.compile("at http://[^:]+:(\\d+)");
            int port = -1;
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                log.append(line).append('\n');
                Matcher m = serving.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, () -> "the server started: " + log);
            Thread drain = Thread.ofVirtual().start(() -> out.lines().forEach(l -> log.append(l).append('\n')));
            // Twice the heap, accepted by --max-body-bytes: aggregated off-heap, then copied into one heap array.
            int size = 100_000_000;
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream o = socket.getOutputStream();
                o.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + size
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[1 << 20];
                java.util.Arrays.fill(chunk, (byte) ' ');
                for (int sent = 0; sent < size && p.isAlive(); sent += chunk.length) {
                    o.write(chunk, 0, Math.min(chunk.length, size - sent));
                }
            } catch (java.io.IOException gone) {
                // the process died mid-upload: that is the point
            }
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            drain.join(exited ? 5000 : 10);
            assertTrue(exited, () -> "the process exited: " + log);
            assertNotEquals(0, p.exitValue(), () -> "non-zero exit on OOM: " + log);
            assertTrue(log.toString().contains("OutOfMemoryError") || log.toString().contains("Terminating due to java.lang.OutOfMemoryError"),
                    () -> "the log says why: " + log);
        } finally {
            p.destroyForcibly();
        }
    }
}

package dev.ovserve.server.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * The image deploy/image.sh builds (server/target/ovserve-image.tar, Jib's docker-format tarball):
 * its config runs the server as the non-root user on port 8000 with the model volume, through the
 * jlinked JRE with the heap sized from the memory limit, and its layers hold the JRE, glibc and
 * libstdc++, the OpenVINO runtime, the native helper and the server's classes. Skipped when the
 * tarball has not been built (it is not part of the test command: deploy/image.sh runs this).
 */
class ImageTarballTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TARBALL = Path.of("target", "ovserve-image.tar");

    @Test
    void entrypointUserPortAndLibraries() throws IOException {
        assumeTrue(Files.isRegularFile(TARBALL), "no image tarball: run deploy/image.sh");
        Map<String, byte[]> top = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(TARBALL))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (e.isFile()) {
                    top.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        JsonNode manifest = JSON.readTree(top.get("manifest.json")).get(0);
        JsonNode config = JSON.readTree(top.get(manifest.path("Config").asText())).path("config");

        List<String> entrypoint = JSON.convertValue(config.path("Entrypoint"), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        assertEquals("/opt/java/bin/java", entrypoint.getFirst());
        assertEquals("dev.ovserve.server.cli.Main", entrypoint.getLast());
        assertTrue(entrypoint.contains("-XX:MaxRAMPercentage=20"), "heap from the container's memory limit: " + entrypoint);
        assertTrue(entrypoint.contains("-Dovserve.home=/opt/ovserve"), entrypoint::toString);
        assertEquals("serve", config.path("Cmd").get(0).asText());
        assertEquals("10001:10001", config.path("User").asText());
        assertTrue(config.path("ExposedPorts").has("8000/tcp"), config::toString);
        assertTrue(config.path("Volumes").has("/models"), config::toString);

        Set<String> files = new TreeSet<>();
        for (JsonNode layer : manifest.path("Layers")) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(top.get(layer.asText())));
                 TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    files.add(e.getName().replaceFirst("^\\./", "").replaceFirst("^/", ""));
                    if (e.getName().endsWith("opt/java/bin/java")) {
                        assertTrue((e.getMode() & 0111) != 0, "java is executable");
                    }
                }
            }
        }
        for (String needed : List.of("opt/java/bin/java", "opt/java/lib/server/libjvm.so", "lib64/ld-linux-x86-64.so.2",
                "lib/x86_64-linux-gnu/libc.so.6", "lib/x86_64-linux-gnu/libstdc++.so.6", "opt/ovserve/openvino/libs/libopenvino_c.so",
                "opt/ovserve/openvino/libs/libopenvino_intel_cpu_plugin.so", "opt/ovserve/native/libovserve_helper.so",
                "etc/passwd", "app/jib-classpath-file", "app/classes/dev/ovserve/server/cli/Main.class")) {
            assertTrue(files.contains(needed), () -> needed + " in the image; it has " + files.size() + " files");
        }
        assertTrue(files.stream().anyMatch(f -> f.matches("app/libs/ovserve-models-.*\\.jar")), "the project's modules as jars");
    }
}

package dev.ovserve.server.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** ovserve.home: system property, else OVSERVE_HOME, else the nearest .ovserve above the working directory. */
final class Home {
    private Home() {}

    static Path dir() {
        String configured = System.getProperty("ovserve.home", System.getenv("OVSERVE_HOME"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(".ovserve"))) {
                return p.resolve(".ovserve");
            }
        }
        throw new IllegalStateException("no ovserve home: run scripts/setup.sh in the ovserve checkout, or set OVSERVE_HOME");
    }
}

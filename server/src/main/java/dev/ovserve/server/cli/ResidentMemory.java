package dev.ovserve.server.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set, from /proc (Linux): what weight compression must shrink. The
 * split tells mapped weights (file-backed) from weights the runtime copied or converted, plus
 * everything else allocated (anonymous); the JVM heap is part of the anonymous share.
 */
record ResidentMemory(long totalBytes, long anonBytes, long fileBytes) {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final ResidentMemory UNKNOWN = new ResidentMemory(-1, -1, -1);

    static ResidentMemory now() {
        try {
            long total = -1;
            long anon = -1;
            long file = -1;
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    total = kib(line);
                } else if (line.startsWith("RssAnon:")) {
                    anon = kib(line);
                } else if (line.startsWith("RssFile:")) {
                    file = kib(line);
                }
            }
            return new ResidentMemory(total, anon, file);
        } catch (IOException | NumberFormatException e) {
            return UNKNOWN; // not Linux, or an unexpected format
        }
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
    }

    static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%.0f MiB", bytes / (1024.0 * 1024));
    }

    String describe() {
        return mib(totalBytes) + " (anonymous " + mib(anonBytes) + ", file-backed " + mib(fileBytes) + ")";
    }
}

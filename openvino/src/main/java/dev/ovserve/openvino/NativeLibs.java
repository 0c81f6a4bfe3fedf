package dev.ovserve.openvino;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the staged OpenVINO runtime libraries and loads {@code libopenvino_c}.
 *
 * <p>Search order for the libs folder: system property {@code ovserve.openvino.libs}, environment
 * {@code OVSERVE_OPENVINO_LIBS}, else {@code <ovserve.home>/openvino/libs} where ovserve.home is
 * {@link #homeDir()}.
 */
public final class NativeLibs {
    public static final String LIBS_PROPERTY = "ovserve.openvino.libs";
    public static final String LIBS_ENV = "OVSERVE_OPENVINO_LIBS";
    public static final String HOME_PROPERTY = "ovserve.home";
    public static final String HOME_ENV = "OVSERVE_HOME";
    private static final String SETUP_HINT =
            "Run scripts/setup.sh from the project root to stage the OpenVINO runtime, or point "
                    + "-D" + LIBS_PROPERTY + " / " + LIBS_ENV + " at a folder holding libopenvino_c.so.";

    private static Path libsDir;
    private static SymbolLookup openVinoC;

    private NativeLibs() {}

    /** The folder holding libopenvino_c and its plugins; throws with setup advice when absent. */
    public static synchronized Path libsDir() {
        if (libsDir == null) {
            libsDir = locateLibsDir();
        }
        return libsDir;
    }

    /**
     * Symbols of libopenvino_c, loaded once for the life of the process. A failure is not
     * cached, so every caller sees the same explanatory exception.
     */
    public static synchronized SymbolLookup openVinoC() {
        if (openVinoC == null) {
            openVinoC = loadOpenVinoC(libsDir());
        }
        return openVinoC;
    }

    /**
     * Loads a shared library by path for the life of the process (e.g. a helper built against the
     * same runtime). OpenVINO itself is loaded first so the helper's dependencies resolve to it.
     */
    public static SymbolLookup load(Path library) {
        openVinoC();
        return SymbolLookup.libraryLookup(library, Arena.global());
    }

    static Path locateLibsDir() {
        String explicit = firstNonBlank(System.getProperty(LIBS_PROPERTY), System.getenv(LIBS_ENV));
        if (explicit != null) {
            Path dir = Path.of(explicit).toAbsolutePath();
            if (hasOpenVinoC(dir)) {
                return dir;
            }
            throw new IllegalStateException("OpenVINO libraries not found in " + dir + " (from "
                    + LIBS_PROPERTY + "/" + LIBS_ENV + "). " + SETUP_HINT);
        }
        Path dir = homeDir().resolve("openvino/libs");
        if (hasOpenVinoC(dir)) {
            return dir;
        }
        throw new IllegalStateException("OpenVINO libraries not found in " + dir + ". " + SETUP_HINT);
    }

    /**
     * The ovserve home (staged runtime, native helper, built models): system property
     * {@code ovserve.home}, else {@code OVSERVE_HOME}, else the nearest {@code .ovserve} folder
     * above the working directory.
     */
    public static Path homeDir() {
        String home = firstNonBlank(System.getProperty(HOME_PROPERTY), System.getenv(HOME_ENV));
        if (home != null) {
            return Path.of(home).toAbsolutePath();
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(".ovserve"))) {
                return p.resolve(".ovserve");
            }
        }
        throw new IllegalStateException("no .ovserve folder above " + cwd + " and neither " + HOME_PROPERTY + " nor "
                + HOME_ENV + " is set. " + SETUP_HINT);
    }

    private static boolean hasOpenVinoC(Path dir) {
        return findLibrary(dir, "libopenvino_c").isPresent();
    }

    /** {@code name.so} if present (setup.sh links it), else the versioned {@code name.so.N}. */
    static Optional<Path> findLibrary(Path dir, String name) {
        Path plain = dir.resolve(name + ".so");
        if (Files.isRegularFile(plain)) {
            return Optional.of(plain);
        }
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(name + ".so."))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static SymbolLookup loadOpenVinoC(Path dir) {
        Path lib = findLibrary(dir, "libopenvino_c").orElseThrow();
        try {
            // The wheel's libraries carry RPATH $ORIGIN, so their dependencies resolve by themselves.
            return SymbolLookup.libraryLookup(lib, Arena.global());
        } catch (IllegalArgumentException firstFailure) {
            // A copy without that RPATH: load the dependencies by path first; the dynamic loader
            // then matches them by soname.
            for (String dep : List.of("libtbb", "libopenvino")) {
                findLibrary(dir, dep).ifPresent(p -> SymbolLookup.libraryLookup(p, Arena.global()));
            }
            try {
                return SymbolLookup.libraryLookup(lib, Arena.global());
            } catch (IllegalArgumentException e) {
                e.addSuppressed(firstFailure);
                throw new IllegalStateException("Cannot load " + lib + ": " + e.getMessage() + ". " + SETUP_HINT, e);
            }
        }
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : null;
    }
}

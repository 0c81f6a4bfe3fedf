package dev.ovserve.openvino;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibsTest {

    @Test
    void findsTheStagedRuntime() {
        Path dir = NativeLibs.libsDir();
        assertTrue(Files.isDirectory(dir), dir.toString());
        assertTrue(NativeLibs.findLibrary(dir, "libopenvino_c").isPresent());
        assertTrue(NativeLibs.openVinoC().find("ov_core_create").isPresent());
    }

    @Test
    void missingLibsSayWhatToRun(@TempDir Path empty) {
        String previous = System.getProperty(NativeLibs.LIBS_PROPERTY);
        System.setProperty(NativeLibs.LIBS_PROPERTY, empty.toString());
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, NativeLibs::locateLibsDir);
            assertTrue(e.getMessage().contains("scripts/setup.sh"), e.getMessage());
            assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(NativeLibs.LIBS_PROPERTY);
            } else {
                System.setProperty(NativeLibs.LIBS_PROPERTY, previous);
            }
        }
    }
}

package dev.ovserve.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CoreTest {

    @Test
    void versionIsThePinnedRelease() {
        String version = Core.version();
        assertTrue(version.startsWith("2026.4"), version);
    }

    @Test
    void cpuIsAvailable() {
        try (Core core = new Core()) {
            assertTrue(core.availableDevices().contains("CPU"), core.availableDevices().toString());
            assertFalse(core.getProperty("CPU", PropertyKeys.DEVICE_FULL_NAME).isBlank());
        }
    }

    @Test
    void propertyKeysComeFromTheRuntime() {
        assertEquals("PERFORMANCE_HINT", PropertyKeys.PERFORMANCE_HINT);
        assertEquals("INFERENCE_PRECISION_HINT", PropertyKeys.INFERENCE_PRECISION_HINT);
        assertEquals("NUM_STREAMS", PropertyKeys.NUM_STREAMS);
        assertEquals("CACHE_DIR", PropertyKeys.CACHE_DIR);
        assertEquals("ENABLE_MMAP", PropertyKeys.ENABLE_MMAP);
        assertEquals("OPTIMAL_NUMBER_OF_INFER_REQUESTS", PropertyKeys.OPTIMAL_NUMBER_OF_INFER_REQUESTS);
    }

    @Test
    void corePropertyRoundTrips() {
        try (Core core = new Core()) {
            core.setProperty("CPU", PropertyKeys.PERFORMANCE_HINT, "THROUGHPUT");
            assertEquals("THROUGHPUT", core.getProperty("CPU", PropertyKeys.PERFORMANCE_HINT));
            core.setProperty("CPU", PropertyKeys.PERFORMANCE_HINT, "LATENCY");
            assertEquals("LATENCY", core.getProperty("CPU", PropertyKeys.PERFORMANCE_HINT));
        }
    }

    @Test
    void encryptionCallbacksKeyIsRefused() {
        try (Core core = new Core()) {
            assertThrows(IllegalArgumentException.class,
                    () -> core.setProperty("CPU", PropertyKeys.CACHE_ENCRYPTION_CALLBACKS, "x"));
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        Core core = new Core();
        core.close();
        core.close();
        assertTrue(core.isClosed());
        assertThrows(IllegalStateException.class, core::availableDevices);
    }
}

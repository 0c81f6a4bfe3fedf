package dev.ovserve.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DevicePlanTest {
    @Test
    void autoListsDevicesInOrder() {
        assertEquals(List.of("CPU", "GPU"), DevicePlan.parse("AUTO:CPU,GPU").devices());
        assertEquals(List.of("CPU", "GPU.1"), DevicePlan.parse(" auto:cpu, gpu.1 ").devices());
        assertEquals(List.of("GPU"), DevicePlan.parse("gpu").devices());
    }

    @Test
    void badSpecsAreRefusedWithTheirText() {
        for (String bad : new String[] {"", "AUTO:", "AUTO:CPU,,GPU", "CPU,GPU"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DevicePlan.parse(bad), bad);
            assertTrue(e.getMessage().contains("device"), e.getMessage());
        }
    }

    @Test
    void onlyDevicesTheRuntimeHasArePresent() {
        DevicePlan plan = DevicePlan.parse("AUTO:CPU,GPU");
        assertEquals(List.of("CPU"), plan.presentIn(List.of("CPU")));
        assertEquals(List.of("CPU", "GPU"), plan.presentIn(List.of("CPU", "GPU.0", "GPU.1")));
        assertEquals(List.of(), DevicePlan.parse("NPU").presentIn(List.of("CPU", "GPUX")));
    }

    @Test
    void aDeviceListedTwiceGetsASecondLabel() {
        assertEquals(List.of("CPU", "CPU#2", "GPU", "CPU#3"), ModelDevices.labelled(List.of("CPU", "CPU", "GPU", "CPU")));
    }
}

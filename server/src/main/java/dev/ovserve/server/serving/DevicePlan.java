package dev.ovserve.server.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which devices serve, in order: {@code AUTO:A,B} starts on A as soon as it is compiled and
 * hands over to B once B is; a plain device name serves on it alone.
 */
public record DevicePlan(List<String> devices) {
    public DevicePlan {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no device given");
        }
        devices = List.copyOf(devices);
    }

    public static DevicePlan parse(String spec) {
        String s = spec.strip();
        if (s.regionMatches(true, 0, "AUTO:", 0, 5)) {
            List<String> devices = new ArrayList<>();
            for (String d : s.substring(5).split(",")) {
                if (d.isBlank()) {
                    throw new IllegalArgumentException("empty device in --device " + spec);
                }
                devices.add(d.strip().toUpperCase(Locale.ROOT));
            }
            return new DevicePlan(devices);
        }
        if (s.isEmpty() || s.contains(",")) {
            throw new IllegalArgumentException("--device takes a device (CPU, GPU, GPU.1) or AUTO:FIRST,THEN, got '" + spec + "'");
        }
        return new DevicePlan(List.of(s.toUpperCase(Locale.ROOT)));
    }

    /** The listed devices the runtime has, in order: "GPU" matches GPU, GPU.0, GPU.1 and so on. */
    public List<String> presentIn(List<String> available) {
        return devices.stream()
                .filter(d -> available.stream().anyMatch(a -> a.equalsIgnoreCase(d) || a.toUpperCase(Locale.ROOT).startsWith(d + ".")))
                .toList();
    }
}

package dev.ovserve.server.serving;

import dev.ovserve.models.paged.PagedModelOptions;
import dev.ovserve.models.paged.PagedModelRunner;
import dev.ovserve.openvino.Core;
import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.engine.Engine;
import dev.ovserve.scheduler.engine.SchedulerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One model on the devices of a {@link DevicePlan}: the engine starts on the first device
 * present as soon as it is compiled; each later device is compiled in the background, with its
 * own KV pool, and handed the new sequences once ready. Owns every runner it loads: a runner the
 * engine retires is closed here, and closing closes the rest.
 *
 * <p>The model cache is used on every device but the CPU: measured on OpenVINO 2026.4, the CPU
 * plugin cannot import a PagedAttention blob (the import drops the attention node's runtime
 * info), so on CPU a cache only adds the time to write the blob (see docs/PERFORMANCE.md).
 */
public final class ModelDevices implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelDevices.class.getName());

    private final List<ModelRunner> owned = new ArrayList<>(); // guarded by this
    private final List<DeviceLoad> loads = new CopyOnWriteArrayList<>();
    private final PagedModelRunner first;
    private final Engine engine;
    private final Thread background;
    private final Path cacheDir;
    private volatile boolean closing;

    private ModelDevices(Core core, Path modelDir, List<String> devices, PagedModelOptions options, Path cacheDir,
                         SchedulerConfig config, Set<Integer> eos) {
        this.cacheDir = cacheDir;
        this.first = load(core, modelDir, devices.getFirst(), options);
        owned.add(first);
        try {
            this.engine = new Engine(first, devices.getFirst(), config, eos);
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
        List<String> later = devices.subList(1, devices.size());
        this.background = later.isEmpty() ? null
                : Thread.ofPlatform().name("ovserve-device-loader").daemon(true).start(() -> loadLater(core, modelDir, later, options));
    }

    /**
     * Loads the first present device of {@code plan} and starts the engine on it; the others
     * follow in the background. {@code cacheDir} (null for none) holds compiled models.
     */
    public static ModelDevices start(Core core, Path modelDir, DevicePlan plan, PagedModelOptions options, Path cacheDir,
                                     SchedulerConfig config, Set<Integer> eos) {
        List<String> available = core.availableDevices();
        List<String> present = plan.presentIn(available);
        for (String d : plan.devices()) {
            if (!present.contains(d)) {
                LOG.info(d + " is not available on this machine (devices: " + String.join(", ", available) + "); not using it");
            }
        }
        if (present.isEmpty()) {
            throw new IllegalArgumentException("none of " + plan.devices() + " is available (devices: " + String.join(", ", available) + ")");
        }
        return new ModelDevices(core, modelDir, labelled(present), options, cacheDir, config, eos);
    }

    /** A device listed twice (say CPU compiled two ways) gets a second label, CPU#2, for logs and metrics. */
    static List<String> labelled(List<String> devices) {
        List<String> out = new ArrayList<>();
        for (String d : devices) {
            long seen = out.stream().filter(o -> o.equals(d) || o.startsWith(d + "#")).count();
            out.add(seen == 0 ? d : d + "#" + (seen + 1));
        }
        return out;
    }

    /** The device name the runtime knows, without our #N label. */
    private static String deviceOf(String label) {
        int hash = label.indexOf('#');
        return hash < 0 ? label : label.substring(0, hash);
    }

    private PagedModelRunner load(Core core, Path modelDir, String device, PagedModelOptions options) {
        PagedModelOptions forDevice = new PagedModelOptions(deviceOf(device), options.kvCacheGiB(), options.blockSize(),
                options.properties());
        if (cacheDir != null && deviceOf(device).equals("CPU")) {
            LOG.info("model cache not used on CPU: this OpenVINO's CPU plugin cannot import a PagedAttention model, "
                    + "so a cache would only add the time to write it");
        } else if (cacheDir != null) {
            try {
                Files.createDirectories(cacheDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the model cache " + cacheDir, e);
            }
            forDevice = forDevice.withProperties(java.util.Map.of("CACHE_DIR", cacheDir.toString()));
        }
        PagedModelRunner runner = PagedModelRunner.load(core, modelDir, forDevice);
        PagedModelRunner.LoadTimes t = runner.loadTimes();
        loads.add(new DeviceLoad(device, t));
        LOG.info(String.format("%s ready in %.2f s: read %.2f s, transform %.2f s, %s %.2f s, warm-up %.2f s", device,
                t.totalSeconds(), t.readSeconds(), t.transformSeconds(), t.fromCache() ? "cache import" : "compile",
                t.compileSeconds(), t.warmupSeconds()));
        return runner;
    }

    private void loadLater(Core core, Path modelDir, List<String> devices, PagedModelOptions options) {
        for (String device : devices) {
            if (closing) {
                return;
            }
            LOG.info("serving on " + engine.stats().servingDevice() + " while " + device + " compiles");
            PagedModelRunner runner;
            try {
                runner = load(core, modelDir, device, options);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, device + " failed to load; staying on " + engine.stats().servingDevice(), e);
                continue;
            }
            synchronized (this) {
                if (closing) {
                    runner.close();
                    return;
                }
                owned.add(runner);
            }
            engine.handOff(runner, device, this::retire);
        }
    }

    private synchronized void retire(ModelRunner runner) {
        if (owned.remove(runner)) {
            runner.close();
        }
    }

    public Engine engine() {
        return engine;
    }

    /** The runner the engine started on (every device runs the same model). */
    public PagedModelRunner first() {
        return first;
    }

    /** Devices loaded so far, in order. */
    public List<DeviceLoad> loads() {
        return List.copyOf(loads);
    }

    /** Waits for a compile in flight (the runtime cannot abandon one), stops the engine, then frees every runner. */
    @Override
    public void close() {
        closing = true;
        if (background != null) {
            try {
                background.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        engine.close();
        synchronized (this) {
            for (ModelRunner r : owned) {
                r.close();
            }
            owned.clear();
        }
    }
}

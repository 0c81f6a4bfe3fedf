package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium from the system (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code scripts/setup-browser.sh} installs), driven by Selenium. Both paths are given
 * explicitly, so Selenium Manager never looks for or downloads anything. Without the browser the
 * tests fail, unless {@code OVSERVE_SKIP_BROWSER_TESTS=1} says to skip them on this machine.
 */
final class Chromium implements AutoCloseable {
    static final Path BROWSER = Path.of(System.getProperty("ovserve.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("ovserve.chromedriver", "/usr/bin/chromedriver"));

    final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Chromium start(int width, int height) throws IOException {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            String missing = "Chromium or its driver is missing (" + BROWSER + ", " + DRIVER + "): run scripts/setup-browser.sh";
            if ("1".equals(System.getenv("OVSERVE_SKIP_BROWSER_TESTS"))) {
                Assumptions.abort(missing + " (skipped: OVSERVE_SKIP_BROWSER_TESTS=1)");
            }
            fail(missing + ", or set OVSERVE_SKIP_BROWSER_TESTS=1 to skip the browser tests on this machine");
        }
        Path profile = Files.createTempDirectory("ovserve-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            return new Chromium(driver, profile);
        } catch (RuntimeException e) {
            deleteTree(profile);
            throw e;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteTree(profile);
        }
    }
}

package org.capsync.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless Chromium, to render a page capsync wrote as a browser does: its DOM after the page's scripts ran,
 * or a screenshot. No browser download and no network (background networking and component updates off), a fresh
 * profile per call. Missing: the test is skipped, and under CI=true it fails (src/test/scripts/test-services.sh
 * installs it).
 */
public final class Chromium {

    private static final Path BINARY = Path.of("/usr/bin/chromium");

    private final Path work;

    private Chromium(Path work) {
        this.work = work;
    }

    /** Chromium, with {@code work} for its profiles; skips or fails the test when it is not installed. */
    public static Chromium require(Path work) {
        boolean present = Files.isExecutable(BINARY);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("chromium is not installed (src/test/scripts/test-services.sh installs it)");
        }
        Assumptions.assumeTrue(present, "chromium is not installed: apt-get install chromium");
        return new Chromium(work);
    }

    /** The page's DOM once loaded and its scripts have run, serialized. */
    public String dumpDom(Path page, String fragment) throws IOException, InterruptedException {
        return run(page, fragment, "--dump-dom");
    }

    /** A PNG of the page's first {@code width} x {@code height} pixels. */
    public void screenshot(Path page, String fragment, Path png, int width, int height) throws IOException, InterruptedException {
        run(page, fragment, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars");
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("chromium wrote no screenshot " + png);
        }
    }

    private String run(Path page, String fragment, String... what) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-extensions", "--user-data-dir=" + profile));
        command.addAll(List.of(what));
        command.add(page.toAbsolutePath().toUri() + (fragment == null ? "" : "#" + fragment));
        Path out = Files.createTempFile(work, "chromium", ".out");
        Path err = Files.createTempFile(work, "chromium", ".err");
        Process chromium = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(new File("/dev/null")).start();
        if (!chromium.waitFor(90, TimeUnit.SECONDS)) {
            chromium.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + String.join(" ", command));
        }
        if (chromium.exitValue() != 0) {
            throw new AssertionError("chromium exited " + chromium.exitValue() + ": " + Files.readString(err));
        }
        return Files.readString(out);
    }
}

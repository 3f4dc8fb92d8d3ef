package org.capsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.capsync.demo.ClientSimulator;

/**
 * capsync started as a separate process, as a scheduler starts it: what a test needs to kill it with {@code kill -9} or
 * to run two site servers at once. Output goes to files in the site, so a test can read it after the process is gone.
 */
public final class CapsyncProcess {

    private final Process process;
    private final Path out;
    private final Path err;

    private CapsyncProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** {@code capsync ARGS} with the site's CAPSYNC_HOME and working folder, plus {@code extraEnv}. */
    public static CapsyncProcess start(TestSite site, Map<String, String> extraEnv, String... args) {
        List<String> command = new ArrayList<>(ClientSimulator.javaCommand());
        command.addAll(List.of(args));
        Path out = site.root().resolve("process.out");
        Path err = site.root().resolve("process.err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(site.root().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(extraEnv);
        builder.environment().put("CAPSYNC_HOME", site.home().toString());
        try {
            return new CapsyncProcess(builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the exit and returns what it printed. */
    public Cli.Result await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("capsync did not exit within " + timeout + "; stdout:\n" + read(out) + "\nstderr:\n" + read(err));
        }
        return new Cli.Result(process.exitValue(), read(out), read(err));
    }

    /** {@code kill -9}: no shutdown hook, no finally block runs, the OS drops the process's locks and sockets. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

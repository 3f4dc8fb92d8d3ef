package org.capsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.capsync.demo.ClientSimulator;

/**
 * capsync started as a separate process (as cron would), on a test site's CAPSYNC_HOME: for what one JVM cannot show,
 * such as reading the repository while another process runs the job, or a run killed with SIGKILL.
 */
public final class CapsyncProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private CapsyncProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static CapsyncProcess start(TestSite site, String... args) {
        List<String> command = new ArrayList<>(ClientSimulator.javaCommand());
        command.addAll(List.of(args));
        try {
            Path output = Files.createTempFile(site.root(), "capsync-" + args[0] + "-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).directory(site.root().toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("CAPSYNC_HOME", site.home().toString());
            return new CapsyncProcess(builder.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the process to end and returns its exit code. */
    public int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("capsync did not finish within " + seconds + " s; output:\n" + output());
        }
        return process.exitValue();
    }

    /** SIGKILL, as {@code kill -9} or a power cut would end it: no shutdown hook, no clean-up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /**
     * SIGKILL once what the run has committed so far is on disk. H2 writes committed changes to the file within about
     * a second (its WRITE_DELAY and auto-commit delay); a kill sooner loses them, and a run killed in its first second
     * would look as if it had never started. What the test saw through the run's server is then what the file holds.
     */
    public void killOnceWritten() throws InterruptedException {
        Thread.sleep(2000);
        kill();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}

package org.capsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.capsync.demo.ClientSimulator;

/** capsync in a child process, as cron or Task Scheduler starts it: killable, with its own output files. */
public final class CapsyncProcess implements AutoCloseable {

    private final Process process;
    private final Path out;
    private final Path err;

    private CapsyncProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    public static CapsyncProcess start(Path home, Path workingDir, String... args) {
        return start(home, workingDir, Map.of(), args);
    }

    /** With {@code extraEnv} on top of this process's environment (a shared repository's CAPSYNC_DB_* for instance). */
    public static CapsyncProcess start(Path home, Path workingDir, Map<String, String> extraEnv, String... args) {
        try {
            Files.createDirectories(home);
            Path out = Files.createTempFile(home, "child", ".out");
            Path err = Files.createTempFile(home, "child", ".err");
            List<String> command = new ArrayList<>(ClientSimulator.javaCommand());
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(extraEnv);
            builder.environment().put("CAPSYNC_HOME", home.toString());
            return new CapsyncProcess(builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * With the file-size limit {@code ulimit -f} set to {@code bytes} for the process: its writes beyond that size fail
     * with "File too large", as on a full disk, without filling this machine's disk.
     */
    public static CapsyncProcess startWithFileSizeLimit(TestSite site, long bytes, String... args) {
        try {
            Path out = Files.createTempFile(site.home(), "child", ".out");
            Path err = Files.createTempFile(site.home(), "child", ".err");
            List<String> command = new ArrayList<>(List.of("sh", "-c", "ulimit -f " + bytes / 512 + " && exec \"$@\"", "sh"));
            command.addAll(ClientSimulator.javaCommand());
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).directory(site.root().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("CAPSYNC_HOME", site.home().toString());
            return new CapsyncProcess(builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CapsyncProcess run(TestSite site, String... args) {
        return start(site.home(), site.root(), args);
    }

    public static CapsyncProcess run(TestSite site, Map<String, String> extraEnv, String... args) {
        return start(site.home(), site.root(), extraEnv, args);
    }

    public static CapsyncProcess start(TestSite site, String... args) {
        return run(site, args);
    }

    public int waitFor(long seconds) throws InterruptedException {
        return waitFor(Duration.ofSeconds(seconds));
    }

    /** stdout, then stderr. */
    public String output() {
        return out() + err();
    }

    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("capsync did not end within " + timeout + "\nstdout:\n" + out() + "\nstderr:\n" + err());
        }
        return process.exitValue();
    }

    /**
     * Waits until the run has tried every pair and only retries are left (a client holds a file): the moment to kill
     * it for a restart that has something to resume. Looks only once the run holds the repository (H2's lock file is
     * there), so the look goes through the run's auto-server: opening a repository that earlier runs left on disk
     * before the run does would make this test JVM its owner and the run fail with "Lock file recently modified".
     */
    public void awaitOnlyRetriesLeft(Path home) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (Files.exists(home.resolve("repository/capsync.lock.db"))
                        && Repository.count(home, "SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE STATUS = 'RETRY'") > 0
                        && Repository.count(home, "SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE STATUS = 'PENDING'") == 0) {
                    return;
                }
            } catch (IllegalStateException schemaNotThereYet) {
                // the run is still creating the repository
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the run never got to only retries left\nstdout:\n" + out() + "\nstderr:\n" + err());
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

    /** The JVM's process id: what {@code host:pid} in the repository names. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the process dies at once, as on a power cut or kill -9. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Sends the named signal ("HUP", "TERM", ...) with kill(1), as a dropped ssh session or a closed terminal does. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public String out() {
        return read(out);
    }

    public String err() {
        return read(err);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}

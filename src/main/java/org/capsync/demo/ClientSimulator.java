package org.capsync.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An SMS client reading {@code client.lkp}: a separate process that holds a POSIX record lock on the file (a lock held
 * in this JVM would only throw {@code OverlappingFileLockException}). It lets go after the given time, or when closed.
 */
public final class ClientSimulator implements AutoCloseable {

    private final Process process;

    private ClientSimulator(Process process) {
        this.process = process;
    }

    /** Starts the holder and returns once it holds the lock. */
    public static ClientSimulator hold(Path file, Duration duration) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.add("hold-open");
        command.add(file.toString());
        command.add("--for=" + duration.toMillis() + "ms");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("holding")) {
            process.destroyForcibly();
            throw new IOException("client simulator did not take the lock on " + file + ": " + line);
        }
        return new ClientSimulator(process);
    }

    public boolean isHolding() {
        return process.isAlive();
    }

    /** Lets go now (closing its stdin tells it to), and waits until the lock is gone. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    /** The command that starts capsync itself again: the Boot jar when run from it, else this classpath. */
    public static List<String> javaCommand() {
        String javaBin = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("java.class.path");
        if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator) && bootLoaderPresent()) {
            return List.of(javaBin, "-XX:TieredStopAtLevel=1", "-jar", classPath);
        }
        // What the jar's manifest gives java -jar (Add-Opens): see org.capsync.copy.OpenFilePaths.
        return List.of(javaBin, "-XX:TieredStopAtLevel=1", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens",
                "java.base/java.io=ALL-UNNAMED", "-cp", classPath, "org.capsync.CapsyncApplication");
    }

    private static boolean bootLoaderPresent() {
        try {
            Class.forName("org.springframework.boot.loader.launch.JarLauncher");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}

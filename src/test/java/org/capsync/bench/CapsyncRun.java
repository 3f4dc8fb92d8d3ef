package org.capsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ./capsync} process, as cron starts it, timed from process start to exit; peak RSS and CPU time (user and
 * system, launcher and JVM) from GNU time when it is installed, else peak RSS from the child's {@code VmHWM} and no CPU
 * time (NaN).
 */
record CapsyncRun(int exitCode, double millis, String summary, long peakRssKb, double cpuMillis, String stderr) {

    private static final Path GNU_TIME = Path.of("/usr/bin/time");

    static CapsyncRun run(Path app, Path home, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(app.resolve("capsync"), app, home, env, args);
    }

    /** Through another launcher than the source tree's ./capsync, e.g. an installation's bin/capsync. */
    static CapsyncRun run(Path launcher, Path workingDir, Path home, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Files.createDirectories(home);
        Path out = Files.createTempFile(home, "bench", ".out");
        Path err = Files.createTempFile(home, "bench", ".err");
        Path rss = Files.createTempFile(home, "bench", ".rss");
        try {
            List<String> command = new ArrayList<>();
            boolean gnuTime = Files.isExecutable(GNU_TIME);
            if (gnuTime) {
                command.addAll(List.of(GNU_TIME.toString(), "-f", "%M %U %S", "-o", rss.toString()));
            }
            command.add(launcher.toString());
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("CAPSYNC_HOME", home.toString());
            builder.environment().putAll(env);
            long start = System.nanoTime();
            Process process = builder.start();
            long hwm = 0;
            while (!process.waitFor(gnuTime ? 1000 : 20, TimeUnit.MILLISECONDS)) {
                if (!gnuTime) {
                    hwm = Math.max(hwm, vmHwm(process.pid()));
                }
            }
            double millis = (System.nanoTime() - start) / 1e6;
            double cpu = Double.NaN;
            if (gnuTime) {
                String text = Files.readString(rss).strip();
                String[] lines = text.split("\n");
                String[] fields = lines[lines.length - 1].strip().split(" ");
                hwm = Long.parseLong(fields[0]);
                cpu = (Double.parseDouble(fields[1]) + Double.parseDouble(fields[2])) * 1000;
            }
            String stdout = Files.readString(out).strip();
            String[] lines = stdout.split("\n");
            return new CapsyncRun(process.exitValue(), millis, lines[lines.length - 1], hwm, cpu, Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            Files.deleteIfExists(rss);
        }
    }

    CapsyncRun expect(int code, String summaryPart) {
        if (exitCode != code || !summary.contains(summaryPart)) {
            throw new IllegalStateException("capsync exited " + exitCode + " (expected " + code + "), summary '" + summary
                    + "' (expected it to contain '" + summaryPart + "')\n" + stderr);
        }
        return this;
    }

    private static long vmHwm(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended between two looks
        }
        return 0;
    }
}

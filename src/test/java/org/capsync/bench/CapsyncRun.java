package org.capsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ./capsync} process, as cron starts it, timed from process start to exit; peak RSS from GNU time when it
 * is installed, else from the child's {@code VmHWM}.
 */
record CapsyncRun(int exitCode, double millis, String summary, long peakRssKb, String stderr) {

    private static final Path GNU_TIME = Path.of("/usr/bin/time");

    static CapsyncRun run(Path app, Path home, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Files.createDirectories(home);
        Path out = Files.createTempFile(home, "bench", ".out");
        Path err = Files.createTempFile(home, "bench", ".err");
        Path rss = Files.createTempFile(home, "bench", ".rss");
        try {
            List<String> command = new ArrayList<>();
            boolean gnuTime = Files.isExecutable(GNU_TIME);
            if (gnuTime) {
                command.addAll(List.of(GNU_TIME.toString(), "-f", "%M", "-o", rss.toString()));
            }
            command.add(app.resolve("capsync").toString());
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).directory(app.toFile())
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
            if (gnuTime) {
                String text = Files.readString(rss).strip();
                String[] lines = text.split("\n");
                hwm = Long.parseLong(lines[lines.length - 1].strip());
            }
            String stdout = Files.readString(out).strip();
            String[] lines = stdout.split("\n");
            return new CapsyncRun(process.exitValue(), millis, lines[lines.length - 1], hwm, Files.readString(err));
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

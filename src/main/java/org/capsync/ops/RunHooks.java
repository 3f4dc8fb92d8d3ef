package org.capsync.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.capsync.definition.JobDefinition;
import org.capsync.run.RunSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job file's {@code on-failure} and {@code on-skips} commands: run through the shell after a run, with the run's
 * summary in {@code CAPSYNC_*} environment variables, bounded by a timeout. A hook that fails or hangs is logged; it
 * never changes capsync's exit code, which is about the CAPs, not about the notification.
 */
class RunHooks {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger("capsync.hook");
    private static final int MAX_LOGGED_LINES = 50;

    private final Map<String, String> environment;
    private final Duration timeout;
    private final Path logs;

    /**
     * @param environment capsync's own environment, which the hook inherits without capsync's passwords
     * @param logs        the folder of the job logs, named to the hook in {@code CAPSYNC_LOG}
     */
    public RunHooks(Map<String, String> environment, Duration timeout, Path logs) {
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
        this.logs = logs;
    }

    /** {@code on-failure} after exit 1 or 2, {@code on-skips} after exit 3, else nothing. */
    public static Hook hookFor(JobDefinition.Options options, int exitCode) {
        return switch (exitCode) {
            case RunSummary.EXIT_FAILED, RunSummary.EXIT_USAGE -> options.onFailure() == null ? null : new Hook("on-failure", options.onFailure());
            case RunSummary.EXIT_NOT_CURRENT -> options.onSkips() == null ? null : new Hook("on-skips", options.onSkips());
            default -> null;
        };
    }

    /** A job-file command and the key it came from. */
    public record Hook(String key, String command) {
    }

    /** Runs the hook in {@code workingDir} (the job file's folder) and waits for it, at most the timeout. */
    public void run(Hook hook, RunEnd report, Path workingDir) {
        Path output = null;
        try {
            output = Files.createTempFile("capsync-hook-", ".out");
            ProcessBuilder builder = new ProcessBuilder(shell(hook.command())).directory(workingDir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            Map<String, String> env = builder.environment();
            env.clear();
            env.putAll(environment);
            // A notification needs no secrets: neither the repository's nor the SMB shares' password.
            env.keySet().removeIf(name -> name.startsWith("CAPSYNC_") && name.endsWith("PASSWORD"));
            env.putAll(variables(report, logs.resolve(report.job() + ".log")));
            Process process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                List<ProcessHandle> children = process.descendants().toList();
                process.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(5, TimeUnit.SECONDS);
            }
            logOutput(hook, output);
            if (!finished) {
                log.warn("{} {}: '{}' did not finish within {}s and was killed; capsync's exit code stays {}",
                        report.job(), hook.key(), hook.command(), timeout.toSeconds(), report.exitCode());
            } else if (process.exitValue() != 0) {
                log.warn("{} {}: '{}' exited {}; capsync's exit code stays {}",
                        report.job(), hook.key(), hook.command(), process.exitValue(), report.exitCode());
            } else {
                log.info("{} {}: '{}' done", report.job(), hook.key(), hook.command());
            }
        } catch (IOException e) {
            log.warn("{} {}: cannot run '{}': {}", report.job(), hook.key(), hook.command(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{} {}: interrupted while waiting for '{}'", report.job(), hook.key(), hook.command());
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temp file of the hook's output, nothing more
                }
            }
        }
    }

    /** The summary as the hook sees it. Counts are empty when the run ended before the job could count. */
    public static Map<String, String> variables(RunEnd report, Path jobLog) {
        Map<String, String> vars = new LinkedHashMap<>();
        RunSummary summary = report.summary();
        vars.put("CAPSYNC_JOB", report.job());
        vars.put("CAPSYNC_JOB_FILE", report.jobFile().toString());
        vars.put("CAPSYNC_EXIT_CODE", Integer.toString(report.exitCode()));
        vars.put("CAPSYNC_STATUS", report.status());
        vars.put("CAPSYNC_EXECUTION_ID", summary == null ? "" : Long.toString(summary.executionId()));
        vars.put("CAPSYNC_COPIED", summary == null ? "" : Integer.toString(summary.copied()));
        vars.put("CAPSYNC_UNCHANGED", summary == null ? "" : Integer.toString(summary.unchanged()));
        vars.put("CAPSYNC_SKIPPED", summary == null ? "" : Integer.toString(summary.skipped()));
        vars.put("CAPSYNC_FAILED", summary == null ? "" : Integer.toString(summary.failed()));
        vars.put("CAPSYNC_STALE", report.caps() == null ? "" : Integer.toString(report.caps().stale()));
        vars.put("CAPSYNC_STALE_CAPS", report.caps() == null ? "" : String.join(",", report.caps().staleCaps()));
        vars.put("CAPSYNC_STARTED", report.started().toString());
        vars.put("CAPSYNC_ENDED", report.ended().toString());
        vars.put("CAPSYNC_SUMMARY", report.summaryLine());
        vars.put("CAPSYNC_MESSAGE", report.message() == null ? "" : report.message());
        vars.put("CAPSYNC_LOG", jobLog.toString());
        return vars;
    }

    private static List<String> shell(String command) {
        return isWindows() ? List.of("cmd.exe", "/c", command) : List.of("/bin/sh", "-c", command);
    }

    private static java.io.File nullDevice() {
        return new java.io.File(isWindows() ? "NUL" : "/dev/null");
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }

    private static void logOutput(Hook hook, Path output) throws IOException {
        // Decoded leniently: a hook may print in the console's code page.
        List<String> lines = new String(Files.readAllBytes(output), StandardCharsets.UTF_8).lines().toList();
        for (int i = 0; i < lines.size() && i < MAX_LOGGED_LINES; i++) {
            log.info("{}> {}", hook.key(), lines.get(i));
        }
        if (lines.size() > MAX_LOGGED_LINES) {
            log.info("{}> ... ({} more lines)", hook.key(), lines.size() - MAX_LOGGED_LINES);
        }
    }
}

package org.capsync.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.capsync.definition.JobDefinition;
import org.capsync.history.HistoryQueries;
import org.capsync.history.JobStanding;
import org.capsync.run.RunSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * What follows every {@code capsync run} of a job: its Prometheus metrics file (in the job file's {@code metrics:}
 * folder, else {@code CAPSYNC_METRICS_DIR}, else none) and its {@code on-failure} / {@code on-skips} hook. Never
 * throws: monitoring trouble is logged and leaves the run's exit code alone.
 */
public class RunReporting {

    public static final String METRICS_DIR = "CAPSYNC_METRICS_DIR";
    public static final String HOOK_TIMEOUT = "CAPSYNC_HOOK_TIMEOUT";

    private static final Logger log = LoggerFactory.getLogger("capsync.run");

    private final JobDefinition definition;
    private final Path metricsDir;
    private final MetricsWriter metrics;
    private final RunHooks hooks;

    public RunReporting(JobDefinition definition, Path metricsDir, MetricsWriter metrics, RunHooks hooks) {
        this.definition = definition;
        this.metricsDir = metricsDir;
        this.metrics = metrics;
        this.hooks = hooks;
    }

    /**
     * Reporting for {@code definition} as capsync's environment configures it.
     *
     * @throws IllegalArgumentException when {@code CAPSYNC_HOOK_TIMEOUT} is not a number of seconds from 1 to 86400,
     *         or the metrics folder is a file
     */
    public static RunReporting forJob(JobDefinition definition, Map<String, String> env, Path logs) {
        Path dir = definition.options().metricsDir();
        String setting = definition.file() + ": metrics";
        if (dir == null && env.get(METRICS_DIR) != null && !env.get(METRICS_DIR).isBlank()) {
            dir = Path.of(env.get(METRICS_DIR).strip()).toAbsolutePath();
            setting = METRICS_DIR;
        }
        // A missing folder may be mounted by the next run (only logged then); a file there never becomes a folder.
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(setting + " " + dir + " is a file, not a folder for the metrics file");
        }
        return new RunReporting(definition, dir, new MetricsWriter(new PublishedFile()), new RunHooks(env, hookTimeout(env.get(HOOK_TIMEOUT)), logs));
    }

    static Duration hookTimeout(String value) {
        if (value == null || value.isBlank()) {
            return RunHooks.DEFAULT_TIMEOUT;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds >= 1 && seconds <= 86_400) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(HOOK_TIMEOUT + " must be a number of seconds from 1 to 86400, not '" + value + "'");
    }

    /** After the job ran (whatever its status): reads where the CAPs stand from the repository, then reports. */
    public void afterRun(Instant started, RunSummary summary, HistoryQueries history) {
        JobStanding caps = null;
        try {
            caps = history.standing(definition.name()).orElse(null);
        } catch (DataAccessException e) {
            log.warn("{}: cannot read the CAPs' state for monitoring: {}", definition.name(), e.getMessage());
        }
        after(RunEnd.of(definition, started, Instant.now(), summary, caps));
    }

    /** After a run that ended before the job could report (bad input, repository unusable, unexpected error). */
    public void afterEarlyEnd(Instant started, int exitCode, String message) {
        after(RunEnd.endedEarly(definition, started, Instant.now(), exitCode, message));
    }

    /** Writes the metrics file and runs the hook the outcome calls for. */
    public void after(RunEnd report) {
        if (metricsDir != null) {
            try {
                metrics.write(metricsDir, report);
            } catch (Exception e) {
                log.warn("{}: cannot write metrics to {}: {}", report.job(), metricsDir, e.getMessage());
            }
        }
        RunHooks.Hook hook = RunHooks.hookFor(definition.options(), report.exitCode());
        if (hook != null) {
            hooks.run(hook, report, definition.file().getParent());
        }
    }
}

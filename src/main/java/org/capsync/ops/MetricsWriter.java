package org.capsync.ops;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;

import org.capsync.history.JobStanding;
import org.capsync.repository.PairStatus;

/**
 * Writes a run's {@link RunEnd} as Prometheus metrics in node_exporter's textfile-collector format, one file per job
 * ({@code capsync_<job>.prom}), as a {@link PublishedFile}: the collector reads the previous complete file or the new
 * complete one, never a partial one.
 */
class MetricsWriter {

    public static String fileName(String job) {
        return "capsync_" + job + ".prom";
    }

    /** node_exporter usually runs as its own user: it must be able to read the file. */
    private static final Set<PosixFilePermission> READABLE_BY_ALL = PosixFilePermissions.fromString("rw-r--r--");

    private final PublishedFile files;

    MetricsWriter(PublishedFile files) {
        this.files = files;
    }

    /**
     * Writes (replaces) the job's file in {@code dir} and returns its path. The collector only reads {@code *.prom}:
     * it never sees the temp file.
     */
    public Path write(Path dir, RunEnd report) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("metrics folder " + dir + " does not exist");
        }
        Path target = dir.resolve(fileName(report.job()));
        files.write(target, format(report).getBytes(StandardCharsets.UTF_8), READABLE_BY_ALL);
        return target;
    }

    /** The exposition text: HELP and TYPE for every metric, every sample labelled with the job. */
    public static String format(RunEnd report) {
        String job = "job=\"" + escape(report.job()) + "\"";
        StringBuilder out = new StringBuilder();
        gauge(out, "capsync_last_run_start_timestamp_seconds", "When the job's last run started, in Unix time.");
        sample(out, "capsync_last_run_start_timestamp_seconds", job, seconds(report.started()));
        gauge(out, "capsync_last_run_end_timestamp_seconds", "When the job's last run ended, in Unix time.");
        sample(out, "capsync_last_run_end_timestamp_seconds", job, seconds(report.ended()));
        gauge(out, "capsync_last_run_exit_code",
                "Exit code of the job's last run: 0 ok, 1 failed (restartable), 2 bad input, 3 some CAPs not current.");
        sample(out, "capsync_last_run_exit_code", job, Integer.toString(report.exitCode()));
        if (report.summary() != null) {
            gauge(out, "capsync_last_run_execution_id", "Spring Batch job execution ID of the job's last run.");
            sample(out, "capsync_last_run_execution_id", job, Long.toString(report.summary().executionId()));
            gauge(out, "capsync_last_run_pairs", "(CAP, file) pairs the last run itself finished, by outcome.");
            sample(out, "capsync_last_run_pairs", job + ",outcome=\"copied\"", Integer.toString(report.summary().copied()));
            sample(out, "capsync_last_run_pairs", job + ",outcome=\"unchanged\"", Integer.toString(report.summary().unchanged()));
            sample(out, "capsync_last_run_pairs", job + ",outcome=\"skipped\"", Integer.toString(report.summary().skipped()));
            sample(out, "capsync_last_run_pairs", job + ",outcome=\"failed\"", Integer.toString(report.summary().failed()));
        }
        JobStanding caps = report.caps();
        if (caps != null) {
            gauge(out, "capsync_caps", "(CAP, file) pairs of the job's latest run by status (one per CAP for a one-file job).");
            for (PairStatus status : PairStatus.values()) {
                sample(out, "capsync_caps", job + ",status=\"" + status + "\"", Integer.toString(caps.pairs().getOrDefault(status, 0)));
            }
            gauge(out, "capsync_stale_caps", "(CAP, file) pairs of the job's latest run that are not current (not COPIED or UNCHANGED).");
            sample(out, "capsync_stale_caps", job, Integer.toString(caps.stale()));
            if (caps.oldestStaleSince() != null) {
                gauge(out, "capsync_stale_oldest_since_timestamp_seconds",
                        "Start of the first run that left the longest-stale (CAP, file) pair not current, in Unix time.");
                sample(out, "capsync_stale_oldest_since_timestamp_seconds", job, seconds(caps.oldestStaleSince()));
            }
        }
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    private static void sample(StringBuilder out, String name, String labels, String value) {
        out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private static String seconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3).toPlainString();
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

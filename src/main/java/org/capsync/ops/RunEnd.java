package org.capsync.ops;

import java.nio.file.Path;
import java.time.Instant;

import org.capsync.definition.JobDefinition;
import org.capsync.history.JobStanding;
import org.capsync.run.RunSummary;

/**
 * What monitoring learns about one {@code capsync run}: when it ran, how it ended, what it did and where the job's CAPs
 * stand afterwards.
 *
 * @param exitCode the exit code capsync returns (0, 1, 2 or 3; a run refused with 4 is not reported: the run in
 *                 progress reports for itself)
 * @param status   the summary's status ({@code COMPLETED}, {@code COMPLETED_WITH_SKIPS}, {@code FAILED}, ...), or
 *                 {@code FAILED} / {@code BAD_INPUT} when the run ended before the job could report one
 * @param summary  what this execution did, or null when it ended before the job ran
 * @param caps     the job's CAPs after the run, or null when the repository could not tell
 * @param message  why the run ended early, or null
 */
record RunEnd(String job, Path jobFile, Instant started, Instant ended, int exitCode, String status,
        RunSummary summary, JobStanding caps, String message) {

    public static RunEnd of(JobDefinition definition, Instant started, Instant ended, RunSummary summary, JobStanding caps) {
        return new RunEnd(definition.name(), definition.file(), started, ended, summary.exitCode(), summary.status(),
                summary, caps, null);
    }

    public static RunEnd endedEarly(JobDefinition definition, Instant started, Instant ended, int exitCode, String message) {
        return new RunEnd(definition.name(), definition.file(), started, ended, exitCode,
                exitCode == RunSummary.EXIT_USAGE ? "BAD_INPUT" : "FAILED", null, null, message);
    }

    /** The summary line, or the reason the run ended early. */
    public String summaryLine() {
        return summary != null ? summary.line() : job + ": " + status + ": " + message;
    }
}

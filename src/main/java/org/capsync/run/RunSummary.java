package org.capsync.run;

import java.util.Map;

import org.capsync.repository.PairStatus;
import org.capsync.repository.RunStatus;
import org.springframework.batch.core.job.JobExecution;

/**
 * What one execution did, as the last line of {@code capsync run} says it and as its exit code tells a scheduler.
 * The counts are this execution's own: a restart does not count what its predecessor finished.
 */
public record RunSummary(String job, long executionId, String status, int copied, int unchanged, int skipped, int failed) {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_NOT_CURRENT = 3;
    public static final int EXIT_RUNNING = 4;

    static RunSummary of(String job, JobExecution execution, Map<PairStatus, Integer> counts) {
        String status = RunStatus.of(execution.getStatus().name(), execution.getExitStatus().getExitCode());
        return new RunSummary(job, execution.getId(), status,
                counts.getOrDefault(PairStatus.COPIED, 0), counts.getOrDefault(PairStatus.UNCHANGED, 0),
                counts.getOrDefault(PairStatus.SKIPPED, 0), counts.getOrDefault(PairStatus.FAILED, 0));
    }

    /** A run that failed before its end was recorded: status FAILED, with the counts recorded so far. */
    static RunSummary failed(String job, long executionId, Map<PairStatus, Integer> counts) {
        return new RunSummary(job, executionId, "FAILED",
                counts.getOrDefault(PairStatus.COPIED, 0), counts.getOrDefault(PairStatus.UNCHANGED, 0),
                counts.getOrDefault(PairStatus.SKIPPED, 0), counts.getOrDefault(PairStatus.FAILED, 0));
    }

    public String line() {
        return job + ": " + copied + " copied, " + unchanged + " unchanged, " + skipped + " skipped, " + failed
                + " failed (execution " + executionId + ", " + status + ")";
    }

    public int exitCode() {
        return switch (status) {
            case "COMPLETED" -> EXIT_OK;
            case RunStatus.COMPLETED_WITH_SKIPS -> EXIT_NOT_CURRENT;
            default -> EXIT_FAILED;
        };
    }
}

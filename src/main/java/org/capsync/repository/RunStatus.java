package org.capsync.repository;

/**
 * An execution's status as capsync reports it: Spring Batch's {@code BATCH_JOB_EXECUTION.STATUS}, except that a
 * completed run whose exit code is {@link #COMPLETED_WITH_SKIPS} (some CAP was left behind) says so.
 */
public final class RunStatus {

    /** The exit code of a run that completed with some (CAP, file) not current. */
    public static final String COMPLETED_WITH_SKIPS = "COMPLETED_WITH_SKIPS";

    private RunStatus() {
    }

    /** The status capsync shows for a recorded Spring Batch status and exit code. */
    public static String of(String batchStatus, String exitCode) {
        if ("COMPLETED".equals(batchStatus) && COMPLETED_WITH_SKIPS.equals(exitCode)) {
            return COMPLETED_WITH_SKIPS;
        }
        return batchStatus == null ? "UNKNOWN" : batchStatus;
    }
}

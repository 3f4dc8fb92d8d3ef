package org.capsync.history;

import java.time.Instant;

/**
 * Where one CAP (and file) of a job stands now, from everything the repository recorded about it.
 *
 * @param current             its last known outcome put the bytes of the latest run's snapshot there (COPIED or
 *                            UNCHANGED with that SHA-256)
 * @param status              its last known outcome (COPIED, UNCHANGED, SKIPPED, FAILED, RETRY), or PENDING if no
 *                            run has tried it yet
 * @param sha256              the SHA-256 it last received or was found holding (its last success), or null
 * @param sourceSha256        the SHA-256 of the file in the latest run's snapshot
 * @param staleSince          start of the first run after its last success, the one that left it behind; null if
 *                            current
 * @param staleSinceExecution that run's first execution
 * @param runsMissed          runs since its last success that ended without making it current (a run still going
 *                            counts once it has tried the CAP)
 * @param error               the reason of its last outcome when that was not a success
 */
public record CapState(String cap, String file, String path, boolean current, String status, Instant lastAttempt,
        Instant lastSuccess, String sha256, String sourceSha256, Instant staleSince, Long staleSinceExecution,
        int runsMissed, String error) {
}

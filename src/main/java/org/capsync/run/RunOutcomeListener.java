package org.capsync.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RunStatus;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;

/**
 * Turns a completed run into {@code COMPLETED} or {@code COMPLETED_WITH_SKIPS} (some CAP of the instance is not
 * current), and drops the instance's snapshot once nothing can restart it.
 */
class RunOutcomeListener implements JobExecutionListener {

    private final PairStore store;
    private final CapsyncHome home;

    public RunOutcomeListener(PairStore store, CapsyncHome home) {
        this.store = store;
        this.home = home;
    }

    @Override
    public void afterJob(JobExecution execution) {
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            return;
        }
        long instanceId = execution.getJobInstance().getInstanceId();
        int behind = store.notCurrent(instanceId);
        if (behind > 0) {
            execution.setExitStatus(new ExitStatus(RunStatus.COMPLETED_WITH_SKIPS, behind + " (CAP, file) pairs are not current"));
        }
        deleteSnapshot(home.snapshots().resolve(execution.getJobInstance().getJobName()).resolve(Long.toString(instanceId)));
    }

    private static void deleteSnapshot(Path folder) {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover snapshot wastes a little space in CAPSYNC_HOME, nothing more
        }
    }
}

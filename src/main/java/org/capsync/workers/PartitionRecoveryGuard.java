package org.capsync.workers;

import java.sql.SQLException;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import org.capsync.run.RecoveryGuard;
import org.capsync.run.RemotePartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;

/**
 * Resuming a job on workers after its site server died: {@code JobOperator.recover} marks every running partition
 * FAILED, also one that a live worker is still copying, and the restart would then start it a second time elsewhere.
 * So first take the lock of every partition left running: a partition a worker holds is waited for (the worker
 * finishes it and records it COMPLETED, which the restart then skips); the others cannot be taken by a worker while
 * they are marked FAILED (a stale request that reaches a worker afterwards finds them FAILED and is dropped).
 */
final class PartitionRecoveryGuard implements RecoveryGuard {

    private static final Logger log = LoggerFactory.getLogger("capsync.run");

    private final DataSource dataSource;

    PartitionRecoveryGuard(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public JobExecution recover(JobExecution execution, UnaryOperator<JobExecution> recover) {
        long instanceId = execution.getJobInstance().getInstanceId();
        try (PartitionLocks locks = new PartitionLocks(dataSource)) {
            for (StepExecution step : execution.getStepExecutions()) {
                if (!step.getStatus().isRunning() || !step.getStepName().startsWith(RemotePartition.STEP + ":")) {
                    continue;
                }
                int partition = RemotePartition.partition(step);
                if (!locks.tryLock(instanceId, partition)) {
                    log.warn("partition {} of region {} is still being copied by a worker; waiting for it before resuming",
                            partition, RemotePartition.region(step));
                    locks.lock(instanceId, partition);
                }
            }
            return recover.apply(execution);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot lock the partitions of execution " + execution.getId() + ": " + e.getMessage(), e);
        }
    }
}

package org.capsync.run;

import java.util.function.UnaryOperator;

import org.springframework.batch.core.job.JobExecution;

/**
 * Around the recovery of an execution left STARTED by a process that is gone. Locally nothing else can still be
 * running it. For a job on workers, a worker may still be running one of its partitions: {@code JobOperator.recover}
 * would mark that partition FAILED under the worker's feet and the restart would start it a second time elsewhere, so
 * the workers' guard waits for such partitions and keeps them from being taken while it recovers.
 */
public interface RecoveryGuard {

    RecoveryGuard NONE = (execution, recover) -> recover.apply(execution);

    /** Calls {@code recover} on {@code execution} when it is safe to, and returns what it returned. */
    JobExecution recover(JobExecution execution, UnaryOperator<JobExecution> recover);
}

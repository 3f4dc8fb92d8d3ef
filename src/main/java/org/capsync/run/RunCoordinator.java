package org.capsync.run;

import java.util.EnumSet;

import org.capsync.definition.JobDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.DuplicateKeyException;

/**
 * Decides whether {@code capsync run} starts a new instance or resumes the last one, and runs it. Must be called while
 * holding the job's {@link RunLock}: that lock is what proves an execution left {@code STARTED} has no live process.
 */
public class RunCoordinator {

    private static final Logger log = LoggerFactory.getLogger("capsync.run");
    private static final EnumSet<BatchStatus> UNFINISHED = EnumSet.of(BatchStatus.FAILED, BatchStatus.STOPPED);

    private final JobDefinition definition;
    private final Job job;
    private final JobOperator operator;
    private final JobRepository repository;
    private final PairStore store;
    private final RecoveryGuard recoveryGuard;

    public RunCoordinator(JobDefinition definition, Job job, JobOperator operator, JobRepository repository, PairStore store) {
        this(definition, job, operator, repository, store, RecoveryGuard.NONE);
    }

    public RunCoordinator(JobDefinition definition, Job job, JobOperator operator, JobRepository repository, PairStore store,
            RecoveryGuard recoveryGuard) {
        this.definition = definition;
        this.job = job;
        this.operator = operator;
        this.repository = repository;
        this.store = store;
        this.recoveryGuard = recoveryGuard;
    }

    public RunSummary run(boolean startNew) throws Exception {
        JobExecution execution = launch(startNew);
        return RunSummary.of(definition.name(), execution, store.finishedBy(execution.getId()));
    }

    /** Asks the running execution of this job (there is one at most: this process holds the job's lock) to stop. */
    public void stopRunning() {
        for (JobExecution execution : repository.findRunningJobExecutions(definition.name())) {
            try {
                operator.stop(execution);
            } catch (Exception e) {
                log.warn("{}: could not stop execution {}: {}", definition.name(), execution.getId(), e.toString());
            }
        }
    }

    private JobExecution launch(boolean startNew) throws Exception {
        JobInstance lastInstance = repository.getLastJobInstance(definition.name());
        JobExecution last = lastInstance == null ? null : repository.getLastJobExecution(lastInstance);
        if (last != null && last.isRunning()) {
            log.warn("{}: execution {} was left {} by a process that is gone (this run holds the job's lock); recovering it",
                    definition.name(), last.getId(), last.getStatus());
            last = recoveryGuard.recover(last, left -> operator.recover(repository.getJobExecution(left.getId())));
        }
        if (last != null && UNFINISHED.contains(last.getStatus())) {
            if (startNew) {
                log.warn("{}: --new given, abandoning unfinished execution {} ({})", definition.name(), last.getId(), last.getStatus());
                operator.abandon(last);
            } else {
                log.info("{}: restarting execution {} ({}), resuming where it stopped", definition.name(), last.getId(), last.getStatus());
                return operator.restart(last);
            }
        }
        long runId = lastInstance == null ? 1 : lastRunId(lastInstance) + 1;
        JobParameters parameters = new JobParametersBuilder()
                .addLong("run.id", runId)
                .addString("job.file", definition.file().toString(), false)
                .toJobParameters();
        try {
            return operator.start(job, parameters);
        } catch (DuplicateKeyException | IllegalStateException failed) {
            // The run lock is per host: a process on another host with this site's name may have created the same
            // instance at the same moment (the unique key refuses ours, or Spring Batch finds it already there).
            if (repository.getJobInstance(definition.name(), parameters) == null) {
                throw failed;
            }
            throw new RunLock.RunInProgress(definition.name(), "a process on another host started run " + runId
                    + " of it at the same moment");
        }
    }

    private long lastRunId(JobInstance instance) {
        JobExecution execution = repository.getLastJobExecution(instance);
        Long runId = execution == null ? null : execution.getJobParameters().getLong("run.id");
        return runId == null ? instance.getInstanceId() : Math.max(runId, instance.getInstanceId());
    }
}

package org.capsync.run;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.capsync.definition.CapList;
import org.capsync.definition.JobDefinition;
import org.capsync.repository.PairStatus;
import org.capsync.repository.RepositoryProblems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.JobRestartException;
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
    private final PlannedDefinition planned;
    private final StartedExecution started;
    private final RecoveryGuard recoveryGuard;

    RunCoordinator(JobDefinition definition, CapList caps, Job job, JobOperator operator, JobRepository repository,
            PairStore store, StartedExecution started, RecoveryGuard recoveryGuard) {
        this.started = started;
        this.definition = definition;
        this.planned = PlannedDefinition.of(definition, caps);
        this.job = job;
        this.operator = operator;
        this.repository = repository;
        this.store = store;
        this.recoveryGuard = recoveryGuard;
    }

    /**
     * Runs the job.
     *
     * @throws RunFailed when the run started and then the repository failed under it (its summary line names it)
     */
    public RunSummary run(boolean startNew) throws Exception {
        JobExecution execution;
        try {
            execution = launch(startNew);
        } catch (Exception e) {
            long id = started.id();
            if (id < 0) {
                throw e;
            }
            throw new RunFailed(RunSummary.failed(definition.name(), id, recordedCounts(id)), e);
        }
        if (execution.getStatus() == BatchStatus.UNKNOWN) {
            // Spring Batch could not record how the run ended (the repository went away under it): for scripts this
            // is a failed run, and the next run starts anew from what the repository holds. The job's own failure is
            // often only "a partition failed"; the repository's error is then a step's.
            throw new RunFailed(RunSummary.failed(definition.name(), execution.getId(), recordedCounts(execution.getId())),
                    new RepositoryProblems.EndNotRecorded(execution.getId(), endFailure(execution)));
        }
        return RunSummary.of(definition.name(), execution, store.finishedBy(execution.getId()));
    }

    /** Of the job's and its steps' failures, the first one capsync can explain, else the job's first. */
    static Throwable endFailure(JobExecution execution) {
        List<Throwable> failures = execution.getAllFailureExceptions();
        for (Throwable failure : failures) {
            if (RepositoryProblems.recognised(failure).isPresent()) {
                return failure;
            }
        }
        return failures.isEmpty() ? null : failures.get(0);
    }

    /** What the repository still tells about a run it failed under; nothing when it cannot be read either. */
    private Map<PairStatus, Integer> recordedCounts(long executionId) {
        try {
            return store.finishedBy(executionId);
        } catch (RuntimeException unreadable) {
            return Map.of();
        }
    }

    /** A run that started and could not go on: its summary line (status FAILED), and the cause for the one-line error. */
    public static final class RunFailed extends Exception {
        private final RunSummary summary;

        RunFailed(RunSummary summary, Exception cause) {
            super(cause.getMessage(), cause);
            this.summary = summary;
        }

        public RunSummary summary() {
            return summary;
        }
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
        if (last != null && (last.isRunning() || aStepIsRecordedRunning(last))) {
            // A process that died between recording its job's end and its step's leaves the job ended and a step
            // STARTED: Spring Batch would refuse to resume it, as if another run were in progress.
            log.warn("{}: execution {} was left {} by a process that is gone (this run holds the job's lock); recovering it",
                    definition.name(), last.getId(), last.isRunning() ? last.getStatus() : "with a step still recorded running");
            last = recoveryGuard.recover(last, left -> operator.recover(repository.getJobExecution(left.getId())));
        }
        if (last != null && UNFINISHED.contains(last.getStatus())) {
            if (startNew) {
                log.warn("{}: --new given, abandoning unfinished execution {} ({})", definition.name(), last.getId(), last.getStatus());
                operator.abandon(last);
            } else if (plannedFromThisDefinition(last)) {
                log.info("{}: restarting execution {} ({}), resuming where it stopped", definition.name(), last.getId(), last.getStatus());
                try {
                    return operator.restart(last);
                } catch (JobRestartException e) {
                    // SimpleJobOperator.restart reports any failure of the launch, a repository that went away
                    // included, as "Illegal state (only happens on a race condition): job execution already running";
                    // the cause is what happened, and what the one-line error must name.
                    if (e.getCause() instanceof JobExecutionAlreadyRunningException running) {
                        // Another host's resume made a newer execution that runs; else a step of this one is still
                        // recorded as running, which the cause's message says.
                        JobExecution newest = repository.getLastJobExecution(last.getJobInstance());
                        if (newest != null && newest.getId() > last.getId() && newest.isRunning()) {
                            throw new RunLock.RunInProgress(definition.name(), "a process on another host resumed execution "
                                    + last.getId() + " at the same moment");
                        }
                        throw running;
                    }
                    if (e.getCause() instanceof Exception cause) {
                        throw cause;
                    }
                    throw e;
                }
            } else {
                // Resuming would copy the pairs of another definition (another job file of the same name, a CAP
                // added or removed since): its exit code would not speak for the CAPs of the job given now.
                log.warn("{}: not resuming execution {}: {}; abandoning it and starting a new run", definition.name(),
                        last.getId(), differenceFrom(last));
                operator.abandon(last);
            }
        }
        long runId = lastInstance == null ? 1 : lastRunId(lastInstance) + 1;
        JobParameters parameters = new JobParametersBuilder()
                .addLong("run.id", runId)
                .addString(PlannedDefinition.JOB_FILE_PARAMETER, planned.jobFile(), false)
                .addString(PlannedDefinition.PARAMETER, planned.fingerprint(), false)
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

    private static boolean aStepIsRecordedRunning(JobExecution execution) {
        return execution.getStepExecutions().stream().anyMatch(step -> step.getStatus().isRunning());
    }

    private boolean plannedFromThisDefinition(JobExecution last) {
        String fingerprint = last.getJobParameters().getString(PlannedDefinition.PARAMETER);
        // An execution recorded before fingerprints were (it has none) is resumed as it always was.
        return fingerprint == null || fingerprint.equals(planned.fingerprint());
    }

    private String differenceFrom(JobExecution last) {
        String jobFile = last.getJobParameters().getString(PlannedDefinition.JOB_FILE_PARAMETER);
        if (jobFile != null && !jobFile.equals(planned.jobFile())) {
            return "it was planned from the job file " + jobFile + ", not " + planned.jobFile();
        }
        return "the job file or its CAP list changed since it was planned (source, files, target or CAPs)";
    }

    private long lastRunId(JobInstance instance) {
        JobExecution execution = repository.getLastJobExecution(instance);
        Long runId = execution == null ? null : execution.getJobParameters().getLong("run.id");
        return runId == null ? instance.getInstanceId() : Math.max(runId, instance.getInstanceId());
    }
}

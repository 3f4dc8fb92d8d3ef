package org.capsync.run;

import java.net.InetAddress;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.stream.Collectors;

import org.capsync.definition.CapList;
import org.capsync.definition.Durations;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.RetrySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;

/**
 * The start and end of every execution in the job's log file (CAPSYNC_HOME/logs/JOB.log), so that the log alone says
 * what ran, with what, and how it ended: execution id, new run or restart of which, parameters, who ran it, the job's
 * settings; at the end the summary line, the time taken, and why it failed if it did. Registered before
 * {@link RunOutcomeListener}, so its end line (listeners end in reverse order) sees COMPLETED_WITH_SKIPS.
 */
class RunLog implements JobExecutionListener {

    private static final Logger log = LoggerFactory.getLogger("capsync.run");

    private final JobDefinition job;
    private final CapList caps;
    private final JobRepository repository;
    private final PairStore store;

    public RunLog(JobDefinition job, CapList caps, JobRepository repository, PairStore store) {
        this.job = job;
        this.caps = caps;
        this.repository = repository;
        this.store = store;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        long instance = execution.getJobInstance().getInstanceId();
        String kind = repository.getJobExecutions(execution.getJobInstance()).stream()
                .filter(e -> e.getId() < execution.getId())
                .max(Comparator.comparingLong(JobExecution::getId))
                .map(previous -> "restart of execution " + previous.getId() + " (" + previous.getStatus() + ")")
                .orElse("new run");
        String parameters = execution.getJobParameters().parameters().stream()
                .sorted(Comparator.comparing(p -> p.name()))
                .map(p -> p.name() + "=" + p.value())
                .collect(Collectors.joining(", "));
        RetrySettings retry = job.retry();
        log.info("{}: execution {} started, {}, instance {}; parameters {}; by {} on {}, pid {}", job.name(),
                execution.getId(), kind, instance, parameters, System.getProperty("user.name"), host(),
                ProcessHandle.current().pid());
        log.info("{}: job file {}; source {} files {}; {} CAPs enabled of {} in {}; target folder {}; threads {}; "
                + "retry {} attempts, delay {} x{} up to {}", job.name(), job.file(), job.source(), job.files(),
                caps.enabled().size(), caps.caps().size(), caps.file(), job.target(), job.threads(), retry.attempts(),
                Durations.format(retry.delay()), retry.multiplier(), Durations.format(retry.maxDelay()));
        // A restart reuses its instance's snapshot (the snapshot step logged it on the first run): say which bytes.
        store.snapshot(instance).ifPresent(snapshot -> snapshot.files().values().forEach(file ->
                log.info("{} snapshot {}: {} bytes, sha256 {} (taken by an earlier execution of this run)", job.name(),
                        file.name(), file.digest().size(), file.digest().sha256())));
    }

    @Override
    public void afterJob(JobExecution execution) {
        RunSummary summary = RunSummary.of(job.name(), execution, store.finishedBy(execution.getId()));
        LocalDateTime start = execution.getStartTime();
        String took = start == null ? "?" : Durations.format(Duration.between(start, LocalDateTime.now()));
        String counts = summary.copied() + " copied, " + summary.unchanged() + " unchanged, " + summary.skipped()
                + " skipped, " + summary.failed() + " failed";
        String why = execution.getExitStatus().getExitDescription();
        why = why == null || why.isBlank() ? "" : "; " + why.lines().findFirst().orElse(why);
        log.info("{}: execution {} ended {} after {}: {}{}", job.name(), execution.getId(), summary.status(), took,
                counts, why);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "?";
        }
    }
}

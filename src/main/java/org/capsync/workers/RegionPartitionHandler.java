package org.capsync.workers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import org.capsync.definition.Durations;
import org.capsync.run.RemotePartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.jms.core.JmsTemplate;

/**
 * The site server's side of remote partitioning: sends each partition to its region's queue, then watches the
 * repository (polling mode: the workers reply by recording, not by message) until every partition has ended.
 * Spring Batch's {@code MessageChannelPartitionHandler} waits forever by default and cannot tell a dead worker from a
 * slow one; this one, every second:
 * <ul>
 * <li>a region none of whose partitions was taken, with no live worker for {@code workerTimeout}: its partitions FAILED,
 * naming the region (the next run restarts them);</li>
 * <li>a partition taken but without progress for {@code workerTimeout} whose lock is free (its worker is gone): sent
 * again when the region has a live worker, else FAILED.</li>
 * </ul>
 * A partition's status is only changed while holding its lock, so never under a worker that runs it.
 */
final class RegionPartitionHandler implements PartitionHandler {

    private static final Logger log = LoggerFactory.getLogger("capsync.run");
    private static final Duration POLL = Duration.ofSeconds(1);

    private final JobRepository repository;
    private final DataSource dataSource;
    private final JmsTemplate jms;
    private final WorkerRegistry registry;
    private final Duration workerTimeout;
    private final Clock clock;
    private final String repositoryId;

    RegionPartitionHandler(JobRepository repository, DataSource dataSource, JmsTemplate jms, WorkerRegistry registry,
            Duration workerTimeout, Clock clock, String repositoryId) {
        this.repositoryId = repositoryId;
        this.repository = repository;
        this.dataSource = dataSource;
        this.jms = jms;
        this.registry = registry;
        this.workerTimeout = workerTimeout;
        this.clock = clock;
    }

    /** What the site server last saw of a partition: its version, and when it last changed (by this host's clock). */
    private static final class Watch {
        int version = -1;
        Instant changed;
    }

    @Override
    public Collection<StepExecution> handle(StepExecutionSplitter splitter, StepExecution managerStep) throws Exception {
        Set<StepExecution> split = splitter.split(managerStep, 1);
        long jobExecutionId = managerStep.getJobExecutionId();
        Map<Long, Watch> watches = new HashMap<>();
        for (StepExecution partition : split) {
            send(partition, jobExecutionId);
        }
        try (PartitionLocks locks = new PartitionLocks(dataSource)) {
            while (true) {
                Thread.sleep(POLL.toMillis());
                List<StepExecution> current = new ArrayList<>();
                for (StepExecution partition : split) {
                    current.add(repository.getStepExecution(jobExecutionId, partition.getId()));
                }
                if (current.stream().noneMatch(p -> p.getStatus().isRunning())) {
                    return current;
                }
                boolean stopping = repository.getJobExecution(jobExecutionId).getStatus() == BatchStatus.STOPPING;
                Set<String> live = registry.liveRegions(workerTimeout);
                Instant now = clock.instant();
                Set<String> abandoned = new TreeSet<>();
                for (StepExecution partition : current) {
                    if (!partition.getStatus().isRunning()) {
                        continue;
                    }
                    Watch watch = watches.computeIfAbsent(partition.getId(), id -> new Watch());
                    if (watch.version != partition.getVersion()) {
                        watch.version = partition.getVersion();
                        watch.changed = now;
                    }
                    boolean stale = Duration.between(watch.changed, now).compareTo(workerTimeout) > 0;
                    String region = RemotePartition.region(partition);
                    if (partition.getStatus() == BatchStatus.STARTING) {
                        if (stopping) {
                            end(locks, jobExecutionId, partition, BatchStatus.STOPPED, ExitStatus.STOPPED, null);
                        } else if (stale && !live.contains(region)) {
                            abandoned.add(region);
                            end(locks, jobExecutionId, partition, BatchStatus.FAILED, ExitStatus.FAILED,
                                    "region " + region + ": no worker took its partitions within " + Durations.format(workerTimeout));
                        }
                    } else if (stale) {
                        takeOver(locks, jobExecutionId, partition, live.contains(region) && !stopping, watch, now);
                    }
                }
                for (String region : abandoned) {
                    log.error("region {}: no worker took its partitions within {}; start 'capsync worker --region {}' "
                            + "and run the job again to resume", region, Durations.format(workerTimeout), region);
                }
            }
        }
    }

    private void send(StepExecution partition, long jobExecutionId) {
        String region = RemotePartition.region(partition);
        String job = partition.getJobExecution().getJobInstance().getJobName();
        String text = new PartitionRequest(repositoryId, job, jobExecutionId,
                new StepExecutionRequest(RemotePartition.STEP, partition.getId())).encode();
        jms.send(Broker.queue(region), session -> session.createTextMessage(text));
    }

    /**
     * A partition whose worker recorded nothing for {@code workerTimeout}. If its lock is held the worker lives (a long
     * copy): wait. If not, its worker is gone: send the request again for another worker of the region to take it
     * over, or with none left, fail it.
     */
    private void takeOver(PartitionLocks locks, long jobExecutionId, StepExecution partition, boolean regionHasWorker,
            Watch watch, Instant now) throws Exception {
        long instanceId = partition.getJobExecution().getJobInstance().getInstanceId();
        int number = RemotePartition.partition(partition);
        if (!locks.tryLock(instanceId, number)) {
            return;
        }
        try {
            StepExecution fresh = repository.getStepExecution(jobExecutionId, partition.getId());
            if (!fresh.getStatus().isRunning()) {
                return;
            }
            String region = RemotePartition.region(partition);
            if (regionHasWorker) {
                log.warn("partition {} of region {}: its worker recorded nothing for {} and is gone; handing it to "
                        + "another worker", number, region, Durations.format(workerTimeout));
                send(fresh, jobExecutionId);
                watch.changed = now;
            } else {
                String why = "partition " + number + " of region " + region + ": its worker is gone and no other worker of "
                        + "region " + region + " is up";
                log.error("{}; run the job again with a worker up to resume", why);
                markEnded(fresh, BatchStatus.FAILED, ExitStatus.FAILED, why);
            }
        } finally {
            locks.unlock(instanceId, number);
        }
    }

    private void end(PartitionLocks locks, long jobExecutionId, StepExecution partition, BatchStatus status,
            ExitStatus exit, String why) throws Exception {
        long instanceId = partition.getJobExecution().getJobInstance().getInstanceId();
        int number = RemotePartition.partition(partition);
        if (!locks.tryLock(instanceId, number)) {
            return; // a worker has just taken it
        }
        try {
            StepExecution fresh = repository.getStepExecution(jobExecutionId, partition.getId());
            if (fresh.getStatus() == BatchStatus.STARTING) {
                markEnded(fresh, status, exit, why);
            }
        } finally {
            locks.unlock(instanceId, number);
        }
    }

    private void markEnded(StepExecution partition, BatchStatus status, ExitStatus exit, String why) {
        partition.setStatus(status);
        partition.setExitStatus(why == null ? exit : exit.addExitDescription(why));
        partition.setEndTime(LocalDateTime.now());
        repository.update(partition);
    }
}

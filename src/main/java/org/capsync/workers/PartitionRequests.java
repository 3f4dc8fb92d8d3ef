package org.capsync.workers;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import org.capsync.run.RemotePartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.StepExecutionRequest;

/**
 * A worker's answer to a partition request, in the listener's JMS transaction: the request is acknowledged when the
 * partition has ended, so a worker that dies leaves it to the broker to hand to another. Spring Batch's
 * {@code StepExecutionRequestHandler} runs whatever step execution a request names, whatever its status; a request can
 * arrive twice (redelivered after a worker died, sent again by the site server, left from a site server that died), so
 * this one first takes the partition's lock, then reads its status under the lock, and runs it only when it is still to
 * be done ({@code STARTING}, or {@code STARTED} by a worker that is gone) in an execution that is still running.
 */
final class PartitionRequests implements MessageListener {

    private static final Logger log = LoggerFactory.getLogger("capsync.worker");

    private final JobRepository repository;
    private final DataSource dataSource;
    private final RemotePartition remotePartition;
    private final String repositoryId;
    private final java.util.List<String> regions;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Set<StepExecution> running = ConcurrentHashMap.newKeySet();

    PartitionRequests(JobRepository repository, DataSource dataSource, RemotePartition remotePartition, String repositoryId,
            java.util.List<String> regions) {
        this.repositoryId = repositoryId;
        this.regions = java.util.List.copyOf(regions);
        this.repository = repository;
        this.dataSource = dataSource;
        this.remotePartition = remotePartition;
    }

    /** SIGTERM: the partitions in flight stop after their chunk and go back to the queue for another worker. */
    void stop() {
        stopping.set(true);
        running.forEach(StepExecution::setTerminateOnly);
    }

    @Override
    public void onMessage(Message message) {
        String text;
        try {
            text = message instanceof TextMessage t ? t.getText() : null;
        } catch (JMSException e) {
            throw new IllegalStateException("cannot read a partition request", e);
        }
        PartitionRequest request;
        try {
            request = PartitionRequest.decode(text);
        } catch (RuntimeException e) {
            log.warn("dropping a message that is not a partition request: {}", e.getMessage());
            return;
        }
        if (!request.repository().equals(repositoryId)) {
            log.warn("dropping a request of job {} from another repository ({}, not this worker's {}): give each "
                    + "repository a broker of its own", request.job(), request.repository(), repositoryId);
            return;
        }
        try {
            handle(request);
        } catch (HandBack e) {
            throw e;
        } catch (Exception e) {
            // Not acknowledged: the broker hands the request out again, to this worker or another.
            log.error("partition request {} could not be handled", request, e);
            throw new IllegalStateException(e);
        }
    }

    private void handle(PartitionRequest message) throws Exception {
        StepExecutionRequest request = message.step();
        StepExecution partition;
        try {
            partition = repository.getStepExecution(request.getStepExecutionId());
        } catch (org.springframework.dao.EmptyResultDataAccessException e) {
            partition = null;
        }
        if (partition == null || partition.getJobExecutionId() != message.jobExecutionId()
                || !partition.getJobExecution().getJobInstance().getJobName().equals(message.job())
                || !partition.getStepName().startsWith(RemotePartition.STEP + ":")
                || !regions.contains(RemotePartition.region(partition))) {
            log.warn("dropping request {}: no such partition of job {} execution {} for regions {} in the repository",
                    request, message.job(), message.jobExecutionId(), regions);
            return;
        }
        long instanceId = partition.getJobExecution().getJobInstance().getInstanceId();
        int number = RemotePartition.partition(partition);
        String region = RemotePartition.region(partition);
        String name = partition.getJobExecution().getJobInstance().getJobName() + " partition " + number + " of region "
                + region + " (execution " + partition.getJobExecutionId() + ")";
        try (PartitionLocks locks = new PartitionLocks(dataSource)) {
            if (!locks.tryLock(instanceId, number)) {
                log.info("{}: another worker copies it; request dropped", name);
                return;
            }
            partition = repository.getStepExecution(request.getStepExecutionId());
            BatchStatus job = partition.getJobExecution().getStatus();
            BatchStatus status = partition.getStatus();
            if (job != BatchStatus.STARTED || (status != BatchStatus.STARTING && status != BatchStatus.STARTED)) {
                log.info("{}: {} in a {} execution, nothing to do; request dropped", name, status, job);
                return;
            }
            if (stopping.get()) {
                throw new HandBack(name + ": this worker is stopping; handed back");
            }
            log.info("{}: {}", name, status == BatchStatus.STARTING ? "taking it" : "taking it over from a worker that is gone");
            running.add(partition);
            try {
                remotePartition.execute(partition);
            } finally {
                running.remove(partition);
            }
            log.info("{}: {}", name, partition.getStatus());
            if (partition.getStatus() == BatchStatus.STOPPED && stopping.get()
                    && repository.getJobExecution(partition.getJobExecutionId()).getStatus() == BatchStatus.STARTED) {
                // Stopped by this worker's SIGTERM, not by the site server: still to be done, by another worker.
                partition.setStatus(BatchStatus.STARTING);
                partition.setExitStatus(ExitStatus.EXECUTING);
                partition.setEndTime(null);
                repository.update(partition);
                throw new HandBack(name + ": stopped after its chunk in flight; handed back to the queue");
            }
        }
    }

    /** Rolls the listener's transaction back: the broker gives the request to another worker. */
    static final class HandBack extends RuntimeException {
        HandBack(String message) {
            super(message, null, false, false);
            log.info(message);
        }
    }
}

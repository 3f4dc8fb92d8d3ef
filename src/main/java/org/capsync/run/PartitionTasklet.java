package org.capsync.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * A partition of a job on workers, as one worker runs it: its PENDING pairs a chunk at a time, then its RETRY pairs
 * as they fall due, until none is left. Distribute and retry in one step, because a worker's region may be one the
 * site server cannot reach. Each call is one transaction, which also records the partition's progress (its step
 * execution's version): a worker that dies loses at most the chunk in flight, and the pairs of that chunk are still
 * PENDING for whoever takes the partition over.
 */
final class PartitionTasklet implements Tasklet {

    private static final Duration MAX_NAP = Duration.ofMillis(500);

    private final String jobName;
    private final int partition;
    private final PairStore store;
    private final PairCopier copier;
    private final Supplier<Snapshot> snapshotSource;
    private final ExecutorService copyThreads;
    private final int chunk;
    private final Clock clock;
    private Snapshot snapshot;
    private long lastPending;

    PartitionTasklet(String jobName, int partition, PairStore store, PairCopier copier, Supplier<Snapshot> snapshotSource,
            ExecutorService copyThreads, int chunk, Clock clock) {
        this.jobName = jobName;
        this.partition = partition;
        this.store = store;
        this.copier = copier;
        this.snapshotSource = snapshotSource;
        this.copyThreads = copyThreads;
        this.chunk = chunk;
        this.clock = clock;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        var execution = chunkContext.getStepContext().getStepExecution().getJobExecution();
        long instanceId = execution.getJobInstance().getInstanceId();
        if (snapshot == null) {
            // Inside the step, so that a snapshot that does not check out fails the partition, with its reason.
            snapshot = snapshotSource.get();
        }
        List<Pair> pairs = store.pendingPage(instanceId, partition, lastPending, chunk, jobName);
        if (!pairs.isEmpty()) {
            lastPending = pairs.get(pairs.size() - 1).id();
            contribution.incrementReadCount();
        } else {
            Instant now = clock.instant();
            pairs = store.dueRetriesOf(instanceId, partition, jobName, now, chunk);
            if (pairs.isEmpty()) {
                var next = store.nextRetryOf(instanceId, partition);
                if (next.isEmpty()) {
                    return RepeatStatus.FINISHED;
                }
                Thread.sleep(Math.max(1, Math.min(Duration.between(now, next.get()).toMillis(), MAX_NAP.toMillis())));
                return RepeatStatus.CONTINUABLE;
            }
        }
        List<Future<PairAttempt>> running = new ArrayList<>(pairs.size());
        for (Pair pair : pairs) {
            running.add(copyThreads.submit(() -> copier.attempt(pair, snapshot)));
        }
        List<PairAttempt> attempts = new ArrayList<>(pairs.size());
        for (Future<PairAttempt> attempt : running) {
            try {
                attempts.add(attempt.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("copy attempt failed unexpectedly", e.getCause());
            }
        }
        store.record(attempts, execution.getId());
        contribution.incrementWriteCount(attempts.size());
        return RepeatStatus.CONTINUABLE;
    }
}

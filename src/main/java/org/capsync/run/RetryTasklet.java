package org.capsync.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Step "retry": tries again the pairs whose file was in use, each when its backoff is due, until they are copied or
 * skipped. Waiting here, not inside the first pass, means a CAP that a client holds for minutes costs no worker time
 * while the other CAPs are copied. Each round is one transaction, so a kill loses at most the attempts in flight.
 */
class RetryTasklet implements Tasklet {

    private static final Duration MAX_NAP = Duration.ofMillis(500);
    private static final int ROUND = 500;

    private final String jobName;
    private final PairStore store;
    private final PairCopier copier;
    private final ExecutorService workers;
    private final Clock clock;
    /** Partitions planned per instance: fixed at plan time, asked once rather than on every poll. */
    private final Map<Long, Integer> partitions = new ConcurrentHashMap<>();

    public RetryTasklet(String jobName, PairStore store, PairCopier copier, ExecutorService workers, Clock clock) {
        this.jobName = jobName;
        this.store = store;
        this.copier = copier;
        this.workers = workers;
        this.clock = clock;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        var execution = chunkContext.getStepContext().getStepExecution().getJobExecution();
        long instanceId = execution.getJobInstance().getInstanceId();
        Instant now = clock.instant();
        int planned = partitions.computeIfAbsent(instanceId, store::partitions);
        List<Pair> due = store.dueRetries(instanceId, planned, jobName, now, ROUND);
        if (due.isEmpty()) {
            var next = store.nextRetry(instanceId, planned);
            if (next.isEmpty()) {
                return RepeatStatus.FINISHED;
            }
            Duration wait = Duration.between(now, next.get());
            Thread.sleep(Math.max(1, Math.min(wait.toMillis(), MAX_NAP.toMillis())));
            return RepeatStatus.CONTINUABLE;
        }
        Snapshot snapshot = store.snapshot(instanceId).orElseThrow();
        List<Future<PairAttempt>> running = new ArrayList<>(due.size());
        for (Pair pair : due) {
            running.add(workers.submit(() -> copier.attempt(pair, snapshot)));
        }
        List<PairAttempt> attempts = new ArrayList<>(due.size());
        for (Future<PairAttempt> attempt : running) {
            try {
                attempts.add(attempt.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("retry attempt failed unexpectedly", e.getCause());
            }
        }
        store.record(attempts, execution.getId());
        contribution.incrementReadCount();
        contribution.incrementWriteCount(attempts.size());
        return RepeatStatus.CONTINUABLE;
    }
}

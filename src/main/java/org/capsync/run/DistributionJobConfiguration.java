package org.capsync.run;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.capsync.copy.CapTransport;
import org.capsync.copy.LockToken;
import org.capsync.copy.TargetCopier;
import org.capsync.copy.smb.CapTransports;
import org.capsync.copy.smb.SmbCredentials;
import org.capsync.copy.smb.SmbSessions;
import org.capsync.definition.CapList;
import org.capsync.definition.JobDefinition;
import org.capsync.repository.CapsyncHome;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.StepContext;
import org.springframework.batch.core.scope.context.StepSynchronizationManager;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import org.springframework.batch.infrastructure.item.ItemReader;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.context.annotation.ScopedProxyMode;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The distribution job: snapshot → plan → distribute (partitioned over the PENDING pairs) → retry. Thin by design: the
 * copying is {@link PairCopier} and {@link TargetCopier}, the bookkeeping {@link PairStore}.
 */
@Configuration(proxyBeanMethods = false)
public class DistributionJobConfiguration {

    static final int CHUNK = 100;
    private static final String STEP = "step";

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    PairStore pairStore(JdbcTemplate jdbc) {
        return new PairStore(jdbc);
    }

    /**
     * SMB sessions for the run, a small pool per server; logged off when the context closes. The CLI brings its own, already
     * connecting while this context starts (and closes them itself), or at least the credentials.
     */
    @Bean
    @ConditionalOnMissingBean
    SmbSessions smbSessions(JobDefinition job, ObjectProvider<SmbCredentials> credentials) {
        return new SmbSessions(credentials.getIfAvailable(() -> SmbCredentials.resolve(job, System.getenv())),
                job.smbConnections());
    }

    @Bean
    List<CapTransport> capTransports(SmbSessions smbSessions) {
        return CapTransports.forJob(smbSessions);
    }

    @Bean
    PairCopier pairCopier(JobDefinition job, List<CapTransport> capTransports, Clock clock) {
        LockToken lockToken = job.options().lockToken() ? new LockToken(job.name()) : null;
        return new PairCopier(job.name(), new TargetCopier(capTransports, lockToken), job.retry(), clock);
    }

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService retryWorkers(JobDefinition job) {
        return Executors.newFixedThreadPool(job.threads(), runnable -> {
            Thread thread = new Thread(runnable, "capsync-retry");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Bean
    RunCoordinator runCoordinator(JobDefinition job, CapList caps, Job distributionJob, JobOperator operator,
            JobRepository repository, PairStore store, StartedExecution started, ObjectProvider<RecoveryGuard> recoveryGuard) {
        return new RunCoordinator(job, caps, distributionJob, operator, repository, store, started,
                recoveryGuard.getIfAvailable(() -> RecoveryGuard.NONE));
    }

    @Bean
    StartedExecution startedExecution() {
        return new StartedExecution();
    }

    @Bean
    Job distributionJob(JobDefinition job, CapList caps, JobRepository repository, Step snapshotStep, Step planStep,
            Step distributeStep, Step retryStep, PairStore store, CapsyncHome home, StartedExecution started) {
        var flow = new JobBuilder(job.name(), repository)
                .listener(started)
                .listener(new RunLog(job, caps, repository, store))
                .listener(new RunOutcomeListener(store, home))
                .start(snapshotStep)
                .next(planStep)
                .next(distributeStep);
        // On workers a partition retries its own pairs: the site server may not even reach the CAPs.
        return job.options().workers() ? flow.build() : flow.next(retryStep).build();
    }

    @Bean
    Step snapshotStep(JobDefinition job, CapsyncHome home, PairStore store, JobRepository repository,
            PlatformTransactionManager tx) {
        return new StepBuilder("snapshot", repository).tasklet(new SnapshotTasklet(job, home, store), tx).build();
    }

    @Bean
    Step planStep(JobDefinition job, CapList caps, PairStore store, JobRepository repository, PlatformTransactionManager tx) {
        return new StepBuilder("plan", repository).tasklet(new PlanTasklet(job, caps, store), tx).build();
    }

    /**
     * Local partitions on this process's threads; or, for a job on workers, the partitions handed to the workers of
     * each region by the {@link PartitionHandler} that the workers' configuration adds.
     */
    @Bean
    Step distributeStep(JobDefinition job, JobRepository repository, Step distributeWorker, Partitioner plannedPartitions,
            ObjectProvider<PartitionHandler> remotePartitions) {
        PartitionHandler remote = remotePartitions.getIfAvailable();
        if (remote != null) {
            return new StepBuilder("distribute", repository)
                    .partitioner(RemotePartition.STEP, plannedPartitions)
                    .partitionHandler(remote)
                    .build();
        }
        var executor = new SimpleAsyncTaskExecutor("capsync-copy-");
        executor.setConcurrencyLimit(job.threads());
        return new StepBuilder("distribute", repository)
                .partitioner("distributeWorker", plannedPartitions)
                .step(distributeWorker)
                .gridSize(job.threads())
                .taskExecutor(executor)
                .build();
    }

    /**
     * One partition per PARTITION_NO, as fixed when the instance was planned: a restart with another {@code --threads}
     * still covers every row (the thread count only limits how many partitions run at once).
     */
    @Bean
    @Scope(value = STEP, proxyMode = ScopedProxyMode.INTERFACES)
    Partitioner plannedPartitions(PairStore store, JobDefinition job) {
        long instanceId = currentStep().getJobExecution().getJobInstance().getInstanceId();
        if (job.options().workers()) {
            Map<Integer, String> regions = store.partitionRegions(instanceId);
            return ignoredGridSize -> {
                Map<String, ExecutionContext> partitions = new HashMap<>();
                regions.forEach((i, region) -> partitions.put("partition" + i, RemotePartition.context(job, i, region)));
                return partitions;
            };
        }
        int planned = store.partitions(instanceId);
        return ignoredGridSize -> {
            Map<String, ExecutionContext> partitions = new HashMap<>();
            for (int i = 0; i < planned; i++) {
                ExecutionContext context = new ExecutionContext();
                context.putInt("partition", i);
                partitions.put("partition" + i, context);
            }
            return partitions;
        };
    }

    @Bean
    Step distributeWorker(JobRepository repository, PlatformTransactionManager tx, ItemReader<Pair> pendingPairs,
            ItemProcessor<Pair, PairAttempt> attemptProcessor, ItemWriter<PairAttempt> attemptWriter) {
        return new StepBuilder(RemotePartition.STEP, repository)
                .<Pair, PairAttempt>chunk(CHUNK)
                .transactionManager(tx)
                .reader(pendingPairs)
                .processor(attemptProcessor)
                .writer(attemptWriter)
                .build();
    }

    @Bean
    @Scope(value = STEP, proxyMode = ScopedProxyMode.INTERFACES)
    PendingPairReader pendingPairs(PairStore store, JobDefinition job) {
        StepExecution step = currentStep();
        long instanceId = step.getJobExecution().getJobInstance().getInstanceId();
        return new PendingPairReader(store, instanceId, step.getExecutionContext().getInt("partition"), CHUNK, job.name());
    }

    @Bean
    @Scope(value = STEP, proxyMode = ScopedProxyMode.INTERFACES)
    PairAttemptProcessor attemptProcessor(PairCopier copier, PairStore store) {
        long instanceId = currentStep().getJobExecution().getJobInstance().getInstanceId();
        return new PairAttemptProcessor(copier, store.snapshot(instanceId).orElseThrow());
    }

    @Bean
    @Scope(value = STEP, proxyMode = ScopedProxyMode.INTERFACES)
    PairAttemptWriter attemptWriter(PairStore store) {
        return new PairAttemptWriter(store, currentStep().getJobExecution().getId());
    }

    /**
     * The partition's step execution, for the step-scoped beans above: what {@code #{stepExecution}} gives, without
     * the expression parser. The beans are proxied through their interfaces rather than subclassed with CGLIB as
     * {@code @StepScope} does: CGLIB and the expression parser loaded their classes on every run and generated the
     * subclasses as it started (docs/performance.md, "Costs the code avoids").
     */
    private static StepExecution currentStep() {
        StepContext context = StepSynchronizationManager.getContext();
        if (context == null) {
            throw new IllegalStateException("a step-scoped bean outside a step");
        }
        return context.getStepExecution();
    }

    @Bean
    Step retryStep(JobDefinition job, JobRepository repository, PlatformTransactionManager tx, PairStore store,
            PairCopier copier, ExecutorService retryWorkers, Clock clock) {
        return new StepBuilder("retry", repository)
                .tasklet(new RetryTasklet(job.name(), store, copier, retryWorkers, clock), tx)
                .build();
    }
}

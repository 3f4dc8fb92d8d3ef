package org.capsync.run;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import org.capsync.copy.CapTransport;
import org.capsync.copy.FileDigest;
import org.capsync.copy.LockToken;
import org.capsync.copy.SourceFile;
import org.capsync.copy.TargetCopier;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.RetrySettings;
import org.capsync.repository.CapsyncHome;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * One partition of a job on workers, on the worker's side: what the site server put in the partition's context (the
 * job's name, retry rules, lock token, region), and the step that runs it against the worker's own transports. The
 * worker has no job file and no snapshot folder of the site server: everything comes from the repository.
 */
public final class RemotePartition {

    /** The name of the step a partition runs: the worker builds it, the site server's splitter names partitions after it. */
    public static final String STEP = "distributeWorker";

    static final String PARTITION = "partition";
    static final String REGION = "region";
    private static final String JOB = "job";
    private static final String LOCK_TOKEN = "lockToken";
    private static final String ATTEMPTS = "retry.attempts";
    private static final String DELAY = "retry.delayMillis";
    private static final String MULTIPLIER = "retry.multiplier";
    private static final String MAX_DELAY = "retry.maxDelayMillis";

    private final JobRepository repository;
    private final PlatformTransactionManager tx;
    private final PairStore store;
    private final List<CapTransport> transports;
    private final CapsyncHome home;
    private final ExecutorService copyThreads;
    private final int threads;
    private final Clock clock;

    public RemotePartition(JobRepository repository, PlatformTransactionManager tx, JdbcTemplate jdbc,
            List<CapTransport> transports, CapsyncHome home, ExecutorService copyThreads, int threads, Clock clock) {
        this.repository = repository;
        this.tx = tx;
        this.store = new PairStore(jdbc);
        this.transports = transports;
        this.home = home;
        this.copyThreads = copyThreads;
        this.threads = threads;
        this.clock = clock;
    }

    /** What a partition of {@code job} carries to its worker. */
    static ExecutionContext context(JobDefinition job, int partition, String region) {
        ExecutionContext context = new ExecutionContext();
        context.putInt(PARTITION, partition);
        context.putString(REGION, region);
        context.putString(JOB, job.name());
        context.putString(LOCK_TOKEN, Boolean.toString(job.options().lockToken()));
        RetrySettings retry = job.retry();
        context.putInt(ATTEMPTS, retry.attempts());
        context.putLong(DELAY, retry.delay().toMillis());
        context.putDouble(MULTIPLIER, retry.multiplier());
        context.putLong(MAX_DELAY, retry.maxDelay().toMillis());
        return context;
    }

    public static String region(StepExecution partition) {
        return partition.getExecutionContext().getString(REGION);
    }

    public static int partition(StepExecution partition) {
        return partition.getExecutionContext().getInt(PARTITION);
    }

    /**
     * Runs the partition in this thread, on this step execution (its status whatever the caller checked it to be):
     * the pairs still PENDING or RETRY, as a restart would. Ends with the step execution COMPLETED, FAILED, or STOPPED
     * when {@link StepExecution#setTerminateOnly()} was called meanwhile (after the chunk in flight).
     */
    public void execute(StepExecution partition) throws Exception {
        ExecutionContext context = partition.getExecutionContext();
        String jobName = context.getString(JOB);
        RetrySettings retry = new RetrySettings(context.getInt(ATTEMPTS), Duration.ofMillis(context.getLong(DELAY)),
                context.getDouble(MULTIPLIER), Duration.ofMillis(context.getLong(MAX_DELAY)));
        LockToken lockToken = Boolean.parseBoolean(context.getString(LOCK_TOKEN)) ? new LockToken(jobName) : null;
        PairCopier copier = new PairCopier(jobName, new TargetCopier(transports, lockToken), retry, clock);
        long instanceId = partition.getJobExecution().getJobInstance().getInstanceId();
        PartitionTasklet tasklet = new PartitionTasklet(jobName, partition(partition), store, copier,
                () -> snapshot(jobName, instanceId), copyThreads, Math.min(100, 10 * threads), clock);
        new StepBuilder(STEP, repository).tasklet(tasklet, tx).build().execute(partition);
    }

    /**
     * The instance's snapshot, from the bytes the site server stored in the repository, written to this worker's
     * {@code CAPSYNC_HOME/snapshots} and checked against the recorded SHA-256 before any CAP is written.
     */
    Snapshot snapshot(String jobName, long instanceId) {
        Snapshot recorded = store.snapshot(instanceId)
                .orElseThrow(() -> new IllegalStateException(jobName + ": no snapshot recorded for instance " + instanceId));
        Path folder = home.snapshots().resolve(jobName).resolve(Long.toString(instanceId));
        Map<String, SourceFile> files = new LinkedHashMap<>();
        try {
            Files.createDirectories(folder);
            for (SourceFile file : recorded.files().values()) {
                Path local = folder.resolve(file.name());
                byte[] content = store.snapshotContent(instanceId, file.name());
                if (content == null) {
                    throw new IllegalStateException(jobName + ": the repository holds no bytes of snapshot file " + file.name()
                            + " (instance " + instanceId + ")");
                }
                FileDigest digest = FileDigest.of(new ByteArrayInputStream(content));
                if (!digest.sha256().equals(file.digest().sha256()) || digest.size() != file.digest().size()) {
                    throw new IllegalStateException(jobName + ": snapshot file " + file.name() + " from the repository has sha256 "
                            + digest.sha256() + ", not the recorded " + file.digest().sha256() + "; no CAP written");
                }
                Path partial = folder.resolve(file.name() + ".part");
                Files.write(partial, content);
                Files.setLastModifiedTime(partial, FileTime.from(file.lastModified().toInstant()));
                Files.move(partial, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                files.put(file.name(), new SourceFile(file.name(), local, digest, file.lastModified()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the snapshot under " + folder, e);
        }
        return new Snapshot(files);
    }
}

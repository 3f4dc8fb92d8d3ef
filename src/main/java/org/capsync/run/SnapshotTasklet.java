package org.capsync.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

import org.capsync.copy.FileDigest;
import org.capsync.copy.SourceFile;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.SourceFiles;
import org.capsync.repository.CapsyncHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Step "snapshot": copies the source files into the instance's own folder and records their SHA-256, so every CAP of
 * the run, and of any restart of it, receives the same bytes even if Inbox Manager rewrites the source meanwhile.
 */
class SnapshotTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger("capsync.run");

    private final JobDefinition job;
    private final CapsyncHome home;
    private final PairStore store;

    public SnapshotTasklet(JobDefinition job, CapsyncHome home, PairStore store) {
        this.job = job;
        this.home = home;
        this.store = store;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws IOException {
        long instanceId = chunkContext.getStepContext().getStepExecution().getJobExecution().getJobInstance().getInstanceId();
        if (store.snapshot(instanceId).isPresent()) {
            return RepeatStatus.FINISHED;
        }
        Path folder = home.snapshots().resolve(job.name()).resolve(Long.toString(instanceId));
        Files.createDirectories(folder);
        Map<String, SourceFile> files = new LinkedHashMap<>();
        for (Path source : SourceFiles.resolve(job)) {
            String name = source.getFileName().toString();
            Path copy = folder.resolve(name);
            FileTime modified = Files.getLastModifiedTime(source);
            Path partial = folder.resolve(name + ".part");
            Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            FileDigest digest;
            try (InputStream in = Files.newInputStream(copy)) {
                digest = FileDigest.of(in);
            }
            files.put(name, new SourceFile(name, copy, digest, modified));
            log.info("{} snapshot {}: {} bytes, sha256 {}", job.name(), name, digest.size(), digest.sha256());
        }
        // A job on workers stores the bytes too: its workers read the snapshot from the repository.
        store.saveSnapshot(instanceId, new Snapshot(files), job.options().workers());
        return RepeatStatus.FINISHED;
    }
}

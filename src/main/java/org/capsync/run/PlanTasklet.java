package org.capsync.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.capsync.definition.Cap;
import org.capsync.definition.CapList;
import org.capsync.definition.JobDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Step "plan": one PENDING row per (CAP, file). The rows are the restart cursor, so the plan is made once per instance;
 * a restart works through what its predecessor left unfinished.
 */
class PlanTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger("capsync.run");

    private final JobDefinition job;
    private final CapList caps;
    private final PairStore store;

    public PlanTasklet(JobDefinition job, CapList caps, PairStore store) {
        this.job = job;
        this.caps = caps;
        this.store = store;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        long instanceId = chunkContext.getStepContext().getStepExecution().getJobExecution().getJobInstance().getInstanceId();
        if (store.planned(instanceId)) {
            return RepeatStatus.FINISHED;
        }
        Snapshot snapshot = store.snapshot(instanceId).orElseThrow(() -> new IllegalStateException("no snapshot for instance " + instanceId));
        var enabled = caps.enabled();
        List<String> files = snapshot.files().keySet().stream().sorted().toList();
        int pairs;
        if (job.options().workers()) {
            // Each region's CAPs in partitions of their own (up to `threads` per region), so that only that region's
            // workers take them.
            Map<String, List<Cap>> byRegion = new LinkedHashMap<>();
            enabled.forEach(cap -> byRegion.computeIfAbsent(cap.region(), r -> new ArrayList<>()).add(cap));
            pairs = 0;
            int first = 0;
            for (List<Cap> regionCaps : byRegion.values()) {
                int partitions = Math.max(1, Math.min(job.threads(), regionCaps.size()));
                pairs += store.plan(instanceId, job.name(), regionCaps, job.target(), files, partitions, first);
                first += partitions;
            }
            log.info("{} plan: {} regions", job.name(), byRegion.size());
        } else {
            pairs = store.plan(instanceId, job.name(), enabled, job.target(), files, Math.max(1, job.threads()));
        }
        log.info("{} plan: {} CAPs x {} files = {} copies, {} threads", job.name(), enabled.size(), snapshot.files().size(), pairs, job.threads());
        contribution.incrementWriteCount(pairs);
        return RepeatStatus.FINISHED;
    }
}

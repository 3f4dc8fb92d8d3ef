package org.capsync.run;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;

/**
 * The id of the execution this process started, known from the moment it starts: when the repository then fails under
 * the run (a full disk, a damaged file), Spring Batch throws before it returns the execution, and the summary line
 * still has to name it.
 */
class StartedExecution implements JobExecutionListener {

    private final AtomicLong id = new AtomicLong(-1);

    @Override
    public void beforeJob(JobExecution execution) {
        id.set(execution.getId());
    }

    /** The started execution's id, or -1 when none started. */
    long id() {
        return id.get();
    }
}

package org.capsync.workers;

import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Spring Batch's {@link StepExecutionRequest}, with what a worker checks before it trusts the number: the repository
 * it comes from, the job and its execution. As the text of a message ({@code REPOSITORY JOB JOB_EXECUTION STEP
 * STEP_EXECUTION}), not a serialized Java object: a worker never deserializes what arrives over the network.
 */
record PartitionRequest(String repository, String job, long jobExecutionId, StepExecutionRequest step) {

    String encode() {
        return repository + " " + job + " " + jobExecutionId + " " + step.getStepName() + " " + step.getStepExecutionId();
    }

    static PartitionRequest decode(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split(" ");
        if (parts.length != 5) {
            throw new IllegalArgumentException("not a partition request: " + text);
        }
        return new PartitionRequest(parts[0], parts[1], Long.parseLong(parts[2]),
                new StepExecutionRequest(parts[3], Long.parseLong(parts[4])));
    }

    /** The identity of the repository {@code jdbc} reaches (CAPSYNC_REPOSITORY, made once by its migration). */
    static String repositoryOf(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT ID FROM CAPSYNC_REPOSITORY", String.class);
    }
}

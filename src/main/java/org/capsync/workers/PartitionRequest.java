package org.capsync.workers;

import org.springframework.batch.integration.partition.StepExecutionRequest;

/**
 * Spring Batch's {@link StepExecutionRequest} as the text of a message: {@code STEP EXECUTION_ID JOB_EXECUTION_ID}.
 * Text, not a serialized Java object: a worker never deserializes what arrives over the network.
 */
final class PartitionRequest {

    private PartitionRequest() {
    }

    static String encode(StepExecutionRequest request, long jobExecutionId) {
        return request.getStepName() + " " + request.getStepExecutionId() + " " + jobExecutionId;
    }

    static StepExecutionRequest decode(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split(" ");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a partition request: " + text);
        }
        return new StepExecutionRequest(parts[0], Long.parseLong(parts[1]));
    }

    static long jobExecutionId(String text) {
        return Long.parseLong(text.trim().split(" ")[2]);
    }
}

package org.capsync.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLNonTransientConnectionException;

import org.capsync.repository.RepositoryProblems;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobExecutionException;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepExecution;

/**
 * A run that Spring Batch could not record the end of (status UNKNOWN) is one line on stderr that says to run again,
 * whatever its failures say: the job's own is often only that a partition failed, and the repository's is a step's.
 */
class EndNotRecordedTest {

    private final JobExecution execution = new JobExecution(7, new JobInstance(3, "client-lkp"), new JobParameters());

    @Test
    void theRepositorysErrorInAPartitionIsTheOneExplained() {
        execution.addFailureException(new JobExecutionException("Partition handler returned an unsuccessful step"));
        StepExecution partition = new StepExecution(11, "distribute:partition0", execution);
        partition.addFailureException(new IllegalStateException("could not commit",
                new SQLNonTransientConnectionException("Connection is broken: \"session closed\" [90067-240]", "08006")));
        execution.addStepExecution(partition);

        String line = RepositoryProblems.describe(new RepositoryProblems.EndNotRecorded(7, RunCoordinator.endFailure(execution)));

        assertThat(line).startsWith("lost the job repository under CAPSYNC_HOME").contains("Connection is broken")
                .contains("run again");
    }

    @Test
    void aFailureCapsyncDoesNotKnowStillSaysWhichRunAndWhatToDo() {
        execution.addFailureException(new JobExecutionException("Partition handler returned an unsuccessful step"));

        String line = RepositoryProblems.describe(new RepositoryProblems.EndNotRecorded(7, RunCoordinator.endFailure(execution)));

        assertThat(line).isEqualTo("the job repository could not record the end of execution 7 (Partition handler returned an"
                + " unsuccessful step); run again: the next run recovers what this one left.");
        assertThat(line).doesNotContain("Exception");
    }

    @Test
    void noFailureRecordedAtAll() {
        assertThat(RunCoordinator.endFailure(execution)).isNull();
        assertThat(RepositoryProblems.describe(new RepositoryProblems.EndNotRecorded(7, null)))
                .isEqualTo("the job repository could not record the end of execution 7; run again: the next run recovers what this one left.");
    }
}

package org.capsync.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/** A failure capsync has no words of its own for is still one plain line: the failure's words, no Java class names. */
class RepositoryProblemsTest {

    @Test
    void anUnknownFailureIsItsOwnWordsAndItsRootCausesWithoutClassNames() {
        String line = RepositoryProblems.describe(new IllegalStateException("could not plan instance 4",
                new RuntimeException("wrapped", new IOException("Input/output error\n\tmore detail"))));

        assertThat(line).isEqualTo("unexpected failure: could not plan instance 4 (cause: Input/output error); "
                + "the log has the whole trace.");
    }

    @Test
    void aFailureWithoutAMessageSaysWhatKindItIs() {
        assertThat(RepositoryProblems.describe(new NullPointerException()))
                .isEqualTo("unexpected failure: NullPointerException; the log has the whole trace.");
    }

    @Test
    void aCauseTheMessageAlreadyQuotesIsNotRepeated() {
        String line = RepositoryProblems.describe(new IllegalStateException("step failed: disk gone",
                new IOException("disk gone")));

        assertThat(line).isEqualTo("unexpected failure: step failed: disk gone; the log has the whole trace.")
                .doesNotContain("java.");
    }
}

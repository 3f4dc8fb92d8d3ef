package org.capsync.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;

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
    void springsBeanCreationWrapperGivesWayToWhatFailed() {
        String line = RepositoryProblems.describe(new org.springframework.beans.factory.BeanCreationException("dataSource",
                "Failed to instantiate [com.zaxxer.hikari.HikariDataSource]", new SQLException("Connection to db:5432 refused")));

        assertThat(line).isEqualTo("unexpected failure: Connection to db:5432 refused; the log has the whole trace.");
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

    @Test
    void aWrapperThatOnlyRepeatsItsCauseSaysTheCausesWordsWithoutItsClassName() {
        assertThat(RepositoryProblems.describe(new IllegalStateException(new SQLException("Table \"X\" not found"))))
                .isEqualTo("unexpected failure: Table \"X\" not found; the log has the whole trace.");
        assertThat(RepositoryProblems.describe(new UncheckedIOException(new IOException())))
                .isEqualTo("unexpected failure: IOException; the log has the whole trace.");
        assertThat(RepositoryProblems.describe(new IllegalStateException("java.lang.IllegalArgumentException: bad row")))
                .isEqualTo("unexpected failure: bad row; the log has the whole trace.");
    }

    @Test
    void aShortCauseInsideAnotherWordIsStillSaid() {
        assertThat(RepositoryProblems.describe(new IllegalStateException("step 14 failed", new IOException("4"))))
                .isEqualTo("unexpected failure: step 14 failed (cause: 4); the log has the whole trace.");
    }

    @Test
    void aWindowsLineEndEndsTheLine() {
        assertThat(RepositoryProblems.describe(new IllegalStateException("first\r\nsecond")))
                .isEqualTo("unexpected failure: first; the log has the whole trace.");
    }

    @Test
    void aChainThatLoopsBackEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);

        assertThat(RepositoryProblems.describe(a)).isEqualTo("unexpected failure: a (cause: b); the log has the whole trace.");
    }

    @Test
    void anAnonymousFailureWithoutAMessageIsNamedByTheKindItExtends() {
        assertThat(RepositoryProblems.describe(new IllegalStateException() { }))
                .isEqualTo("unexpected failure: IllegalStateException; the log has the whole trace.");
    }
}

package org.capsync.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import org.capsync.bench.HistoryBenchmarkRepository;
import org.capsync.repository.CapsyncHome;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the progress bar of {@code capsync run} reads, on a real H2 repository with 60 earlier runs of a 10-CAP job: the
 * run that starts after the probe is made, whatever an earlier killed run left in the repository, and only from the
 * executions that came after it.
 */
class ProgressProbeTest {

    @TempDir
    Path dir;

    JdbcDataSource repository;
    /** Keeps the database open between the test's connections. */
    Connection open;
    JdbcClient jdbc;

    @BeforeEach
    void sixtyEarlierRunsTheLastOneKilled() throws Exception {
        CapsyncHome home = new CapsyncHome(dir).ensureExists();
        new HistoryBenchmarkRepository().fill(home, 60, 10, "client-lkp", false);
        repository = new JdbcDataSource();
        repository.setURL(home.jdbcUrl());
        repository.setUser(home.repositoryLocation().user());
        repository.setPassword(home.repositoryLocation().password());
        open = repository.getConnection();
        jdbc = JdbcClient.create(repository);
        // A run killed mid-way: its execution stays STARTED until a restart.
        jdbc.sql("UPDATE BATCH_JOB_EXECUTION SET STATUS = 'STARTED', END_TIME = NULL WHERE JOB_EXECUTION_ID = ?")
                .param(newestExecution()).update();
    }

    @AfterEach
    void close() throws SQLException {
        open.close();
    }

    @Test
    void followsTheRunThatStartsAfterItNotOneAKilledRunLeftStartedNorAnotherJobs() {
        ProgressProbe probe = new ProgressProbe(repository, "client-lkp");
        ProgressProbe firstReadAtTheEnd = new ProgressProbe(repository, "client-lkp");

        assertThat(probe.read()).as("the killed run's counts are not this run's").isEmpty();

        // The restart of night 60: a new execution of its instance, two CAPs done so far. Then another job's run.
        long restart = newestExecution() + 1;
        execution(restart, 60, "STARTED");
        jdbc.sql("UPDATE CAPSYNC_PAIR SET STATUS = 'PENDING', JOB_EXECUTION_ID = NULL WHERE JOB_INSTANCE_ID = 60").update();
        jdbc.sql("UPDATE CAPSYNC_PAIR SET STATUS = 'COPIED', JOB_EXECUTION_ID = ? WHERE JOB_INSTANCE_ID = 60 "
                + "AND CAP_NAME IN ('CAP_0001', 'CAP_0002')").param(restart).update();
        jdbc.sql("INSERT INTO BATCH_JOB_INSTANCE (JOB_INSTANCE_ID, VERSION, JOB_NAME, JOB_KEY) VALUES (61, 0, 'other', 'k')")
                .update();
        execution(restart + 1, 61, "STARTED");

        RunProgress progress = probe.read().orElseThrow();
        assertThat(progress.executionId()).isEqualTo(restart);
        assertThat(progress.caps()).isEqualTo(10);
        assertThat(progress.capsDone()).isEqualTo(2);
        assertThat(progress.copied()).isEqualTo(2);
        assertThat(progress.pending()).isEqualTo(8);

        jdbc.sql("UPDATE CAPSYNC_PAIR SET STATUS = 'UNCHANGED', JOB_EXECUTION_ID = ? WHERE JOB_INSTANCE_ID = 60 "
                + "AND STATUS = 'PENDING'").param(restart).update();
        jdbc.sql("UPDATE BATCH_JOB_EXECUTION SET STATUS = 'COMPLETED' WHERE JOB_EXECUTION_ID = ?").param(restart).update();
        RunProgress ended = probe.read().orElseThrow();
        assertThat(ended.executionId()).as("its final counts, once it has ended").isEqualTo(restart);
        assertThat(ended.unchanged()).isEqualTo(8);
        assertThat(ended.pending()).isZero();
        assertThat(firstReadAtTheEnd.read()).as("a run over before the bar's first poll").contains(ended);
    }

    /**
     * From the executions' primary key, newest first, from the probe's baseline on: a poll reads the run's own
     * executions, however many runs the job made before. Joined on the job's name, H2 read every instance of the job at
     * each poll.
     */
    @Test
    void aPollReadsOnlyTheExecutionsAfterTheProbesBaseline() {
        String plan = jdbc.sql("EXPLAIN " + ProgressProbe.NEWEST_AFTER).params(newestExecution(), "client-lkp")
                .query(String.class).single();

        assertThat(plan).as(plan).contains("FROM \"PUBLIC\".\"BATCH_JOB_EXECUTION\" \"E\"\n    /* PUBLIC.PRIMARY_KEY")
                .contains("JOB_EXECUTION_ID >").contains("index sorted").doesNotContain("JOB_INST_UN");
    }

    private long newestExecution() {
        return jdbc.sql("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION").query(Long.class).single();
    }

    private void execution(long id, long instance, String status) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.sql("INSERT INTO BATCH_JOB_EXECUTION (JOB_EXECUTION_ID, VERSION, JOB_INSTANCE_ID, CREATE_TIME, START_TIME, "
                + "STATUS, LAST_UPDATED) VALUES (?, 0, ?, ?, ?, ?, ?)").params(id, instance, now, now, status, now).update();
    }
}

package org.capsync.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.capsync.CapsyncApplication;
import org.capsync.definition.CapList;
import org.capsync.definition.JobDefinition;
import org.capsync.demo.ClientSimulator;
import org.capsync.repository.CapsyncHome;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.batch.test.context.SpringBatchTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real distribution job on a real H2 file repository and real CAP folders. The context is closed after the class
 * (not cached for the JVM's life), so the repository is shut before JUnit deletes the folder it lives in.
 */
@SpringBatchTest
@DirtiesContext
@SpringBootTest(classes = {CapsyncApplication.class, DistributionJobConfiguration.class, DistributionJobTest.Site.class})
class DistributionJobTest {

    @TempDir
    static Path dir;

    static TestSite site;

    @TestConfiguration
    static class Site {
        @Bean
        CapsyncHome capsyncHome() {
            return site.capsyncHome();
        }

        @Bean
        JobDefinition jobDefinition() {
            return site.definition();
        }

        @Bean
        CapList capList() {
            return site.capList();
        }
    }

    @DynamicPropertySource
    static void repository(DynamicPropertyRegistry registry) {
        site = TestSite.withCaps(dir, 6).retry("{ attempts: 4, delay: 1s, multiplier: 2, max-delay: 4s }");
        registry.add("spring.datasource.url", () -> site.capsyncHome().jdbcUrl());
        registry.add("spring.datasource.password", () -> site.capsyncHome().repositoryLocation().password());
    }

    @Autowired
    JobOperatorTestUtils jobs;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    Job distributionJob;

    @BeforeEach
    void setUp() {
        jobs.setJob(distributionJob);
    }

    @Test
    void copiesToEveryCapThenLeavesThemUnchanged() throws Exception {
        Files.write(dir.resolve("inbox/client.lkp"), TestSite.bytes(16 * 1024, 7));

        JobExecution first = jobs.startJob(jobs.getUniqueJobParameters());

        assertThat(first.getExitStatus().getExitCode()).isEqualTo("COMPLETED");
        assertThat(counts(first)).containsEntry("COPIED", 6);
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).isEqualTo(site.sourceBytes());
        }

        JobExecution second = jobs.startJob(jobs.getUniqueJobParameters());

        assertThat(second.getExitStatus().getExitCode()).isEqualTo("COMPLETED");
        assertThat(counts(second)).containsEntry("UNCHANGED", 6).doesNotContainKey("COPIED");
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    @Test
    void retriesACapWhoseFileIsInUseUntilTheClientLetsGo() throws Exception {
        Files.write(dir.resolve("inbox/client.lkp"), TestSite.bytes(16 * 1024, 8));
        Files.write(site.capFile("CAP_003"), TestSite.bytes(100, 1));
        ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_003"), Duration.ofMinutes(1));

        JobExecution execution = runLettingGoAfterFirstInUse(client, "CAP_003").get(60, TimeUnit.SECONDS);

        assertThat(execution.getExitStatus().getExitCode()).isEqualTo("COMPLETED");
        Map<String, Object> pair = pair(execution, "CAP_003");
        assertThat(pair.get("STATUS")).isEqualTo("COPIED");
        assertThat((Integer) pair.get("ATTEMPTS")).isGreaterThanOrEqualTo(2);
        assertThat(site.capBytes("CAP_003")).isEqualTo(site.sourceBytes());
        assertThat(jdbc.queryForList("SELECT RESULT FROM CAPSYNC_ATTEMPT WHERE PAIR_ID = ? ORDER BY ATTEMPT", String.class, pair.get("PAIR_ID")))
                .startsWith("IN_USE").endsWith("COPIED");
    }

    /**
     * The deferred retry: a CAP found in use is set aside, so the partition it belongs to (CAP_001 shares partition 0
     * with CAP_003 and CAP_005) goes on at once, and every other CAP is finished before the held one is tried again.
     */
    @Test
    void aCapInRetryHoldsUpNoOtherCap() throws Exception {
        Files.write(dir.resolve("inbox/client.lkp"), TestSite.bytes(16 * 1024, 11));
        Files.write(site.capFile("CAP_001"), TestSite.bytes(100, 3));
        ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_001"), Duration.ofMinutes(1));

        JobExecution execution = runLettingGoAfterFirstInUse(client, "CAP_001").get(60, TimeUnit.SECONDS);

        Map<String, Object> held = pair(execution, "CAP_001");
        assertThat(held.get("STATUS")).isEqualTo("COPIED");
        java.sql.Timestamp retried = jdbc.queryForObject("SELECT STARTED FROM CAPSYNC_ATTEMPT WHERE PAIR_ID = ? AND ATTEMPT = 2",
                java.sql.Timestamp.class, held.get("PAIR_ID"));
        for (String cap : site.caps().subList(1, site.caps().size())) {
            Map<String, Object> other = pair(execution, cap);
            assertThat(other.get("STATUS")).as(cap).isEqualTo("COPIED");
            assertThat(other.get("ATTEMPTS")).as(cap).isEqualTo(1);
            assertThat((java.sql.Timestamp) other.get("LAST_ATTEMPT")).as(cap + " finished before CAP_001 was tried again")
                    .isBeforeOrEqualTo(retried);
        }
    }

    @Test
    void skipsACapStillInUseAfterTheLastAttemptAndGoesOnWithTheOthers() throws Exception {
        Files.write(dir.resolve("inbox/client.lkp"), TestSite.bytes(16 * 1024, 9));
        byte[] stale = TestSite.bytes(100, 2);
        Files.write(site.capFile("CAP_005"), stale);

        JobExecution execution;
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_005"), Duration.ofMinutes(1))) {
            execution = jobs.startJob(jobs.getUniqueJobParameters());
        }

        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(execution.getExitStatus().getExitCode()).isEqualTo("COMPLETED_WITH_SKIPS");
        Map<String, Object> pair = pair(execution, "CAP_005");
        assertThat(pair.get("STATUS")).isEqualTo("SKIPPED");
        assertThat(pair.get("ATTEMPTS")).isEqualTo(4);
        assertThat((String) pair.get("LAST_ERROR")).contains("in use");
        assertThat(site.capBytes("CAP_005")).isEqualTo(stale);
        assertThat(counts(execution)).containsEntry("SKIPPED", 1).containsEntry("COPIED", 5);
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    @Test
    void aCapWhoseFolderIsMissingFailsAndTheOthersGoOn() throws Exception {
        Files.write(dir.resolve("inbox/client.lkp"), TestSite.bytes(16 * 1024, 10));
        Path box = site.capFile("CAP_002").getParent();
        Path moved = box.resolveSibling("moved-away");
        Files.move(box, moved);
        try {
            JobExecution execution = jobs.startJob(jobs.getUniqueJobParameters());

            assertThat(execution.getExitStatus().getExitCode()).isEqualTo("COMPLETED_WITH_SKIPS");
            Map<String, Object> pair = pair(execution, "CAP_002");
            assertThat(pair.get("STATUS")).isEqualTo("FAILED");
            assertThat(pair.get("ATTEMPTS")).as("no pointless retries").isEqualTo(1);
            assertThat((String) pair.get("LAST_ERROR")).contains("clidata.box").contains("not found");
            assertThat(counts(execution)).containsEntry("FAILED", 1).containsEntry("COPIED", 5);
        } finally {
            Files.move(moved, box);
        }
    }

    /**
     * Starts the job; once an in-use attempt at {@code cap} is recorded the client lets go. (A future, not a
     * JobExecution: @SpringBatchTest takes any method returning one for the job scope's factory.)
     */
    private CompletableFuture<JobExecution> runLettingGoAfterFirstInUse(ClientSimulator client, String cap) throws Exception {
        CompletableFuture<JobExecution> run = CompletableFuture.supplyAsync(() -> {
            try {
                return jobs.startJob(jobs.getUniqueJobParameters());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitInUseAttempt(cap);
        client.close();
        return run;
    }

    private void awaitInUseAttempt(String cap) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_ATTEMPT a JOIN CAPSYNC_PAIR p ON p.PAIR_ID = a.PAIR_ID "
                    + "WHERE p.CAP_NAME = ? AND a.RESULT = 'IN_USE' AND p.JOB_INSTANCE_ID = (SELECT MAX(JOB_INSTANCE_ID) FROM CAPSYNC_PAIR)",
                    Integer.class, cap);
            if (n != null && n > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no in-use attempt recorded for " + cap);
    }

    private Map<String, Integer> counts(JobExecution execution) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        jdbc.query("SELECT STATUS, COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_EXECUTION_ID = ? GROUP BY STATUS",
                (java.sql.ResultSet rs) -> {
                    counts.put(rs.getString(1), rs.getInt(2));
                }, execution.getId());
        return counts;
    }

    private Map<String, Object> pair(JobExecution execution, String cap) {
        return jdbc.queryForMap("SELECT * FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? AND CAP_NAME = ?",
                execution.getJobInstance().getInstanceId(), cap);
    }
}

package org.capsync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.Cli;
import org.capsync.support.Repository;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Schedulers overlap and administrators press Ctrl-C: one run per job at a time (exit 4 naming the holder), other jobs
 * go on meanwhile, and SIGTERM stops a run gracefully so that the next run resumes it.
 */
class OverlapAndStopTest {

    @TempDir
    Path dir;

    @Test
    void aSecondRunOfTheSameJobExits4NamingTheHolderWhileAnotherJobRuns() throws Exception {
        TestSite site = TestSite.withCaps(dir.resolve("a"), 3).retry("{ attempts: 20, delay: 1s, multiplier: 1 }");
        Files.write(site.capFile("CAP_002"), new byte[] {1});
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(2));
             CapsyncProcess first = CapsyncProcess.run(site, "run", "job.yml")) {
            awaitRetrying(site.home(), first);

            long start = System.nanoTime();
            Cli.Result second = Cli.run(site, "run", "job.yml");
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(second.exitCode()).isEqualTo(4);
            assertThat(second.err()).contains("another run of job 'client-lkp' is in progress").contains("pid ").contains("started");
            assertThat(millis).as("refused at once, not after waiting for the lock").isLessThan(5_000);

            // A different job, recording into the same repository, runs to the end meanwhile.
            TestSite other = TestSite.withCaps(dir.resolve("b"), 2).jobName("other-job");
            Cli.Result otherRun = Cli.run(site.home(), other.root(), "run", "job.yml");
            assertThat(otherRun.exitCode()).as(otherRun.err()).isZero();
            assertThat(otherRun.lastLine()).startsWith("other-job: 2 copied, 0 unchanged, 0 skipped, 0 failed (execution ");
            assertThat(first.isAlive()).isTrue();
        }
    }

    /**
     * The first run to open the repository serves it to the others (H2 auto-server), and the connections it serves
     * break when it exits: so a run that finishes while another job's run uses its server stays until that run is done.
     */
    @Test
    void aRunServingTheRepositoryToAnotherJobsRunWaitsForItBeforeExiting() throws Exception {
        TestSite shortJob = TestSite.withCaps(dir.resolve("short"), 2).jobName("short-job").retry("{ attempts: 60, delay: 500ms, multiplier: 1 }");
        TestSite longJob = TestSite.withCaps(dir.resolve("long"), 2).jobName("long-job").retry("{ attempts: 60, delay: 500ms, multiplier: 1 }");
        Path home = dir.resolve("home");
        Files.write(shortJob.capFile("CAP_001"), new byte[] {1});
        Files.write(longJob.capFile("CAP_001"), new byte[] {1});
        try (ClientSimulator a = ClientSimulator.hold(shortJob.capFile("CAP_001"), Duration.ofMinutes(2));
             ClientSimulator b = ClientSimulator.hold(longJob.capFile("CAP_001"), Duration.ofMinutes(2));
             CapsyncProcess first = CapsyncProcess.start(home, shortJob.root(), "run", "job.yml")) {
            awaitRetrying(home, first);
            try (CapsyncProcess second = CapsyncProcess.start(home, longJob.root(), "run", "job.yml")) {
                awaitCount(home, "SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_NAME = 'long-job' AND STATUS = 'RETRY'", second);
                a.close();
                awaitCount(home, "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION e JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID "
                        + "WHERE i.JOB_NAME = 'short-job' AND e.STATUS = 'COMPLETED'", first);
                Thread.sleep(1500);
                assertThat(first.isAlive()).as("the first run waits while it serves the second").isTrue();
                assertThat(Files.readString(home.resolve("logs/short-job.log"))).contains("serves the job repository to");

                b.close();

                assertThat(second.waitFor(Duration.ofSeconds(60))).as(second.output()).isZero();
                assertThat(second.out()).containsPattern("long-job: 1 copied, 1 unchanged|long-job: 2 copied, 0 unchanged");
                assertThat(first.waitFor(Duration.ofSeconds(30))).as(first.output()).isZero();
                assertThat(first.out().strip()).matches("(?s).*\\nshort-job: \\d copied, \\d unchanged, 0 skipped, 0 failed \\(execution \\d+, COMPLETED\\)");
            }
        }
        assertThat(Repository.count(home, "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'")).isEqualTo(2);
    }

    private static void awaitCount(Path home, String sql, CapsyncProcess run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && run.isAlive()) {
            if (Repository.count(home, sql) > 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never true: " + sql + "\n" + run.output());
    }

    /** SIGHUP is what a dropped ssh session or a closed terminal sends: it must end a run like SIGTERM. */
    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "HUP", "INT"})
    void aStopSignalStopsTheRunGracefullyAndTheNextRunResumesIt(String signal) throws Exception {
        TestSite site = TestSite.withCaps(dir, 4).retry("{ attempts: 30, delay: 1s, multiplier: 1 }");
        Files.write(site.capFile("CAP_003"), new byte[] {1});
        ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_003"), Duration.ofMinutes(2));
        try (CapsyncProcess run = CapsyncProcess.run(site, "run", "job.yml")) {
            awaitRetrying(site.home(), run);
            run.signal(signal);

            assertThat(run.waitFor(Duration.ofSeconds(60))).as(run.err()).isEqualTo(1);
            assertThat(run.out()).containsPattern("\\(execution \\d+, STOPPED\\)");
        }
        assertThat(Repository.query(site.home(), "SELECT STATUS FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID FETCH FIRST 1 ROW ONLY").get(0))
                .containsEntry("STATUS", "STOPPED");
        assertThat(site.strayFilesAtCaps()).isEmpty();
        client.close();

        Cli.Result resumed = Cli.run(site, "run", "job.yml");

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.lastLine()).matches("client-lkp: 1 copied, 0 unchanged, 0 skipped, 0 failed \\(execution \\d+, COMPLETED\\)");
        assertThat(site.capBytes("CAP_003")).isEqualTo(site.sourceBytes());
        assertThat(Repository.count(site.home(), "SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION")).isEqualTo(1);
    }

    @Test
    void aRunLeftStartedByAKilledProcessIsRecoveredAndResumed() throws Exception {
        TestSite site = TestSite.withCaps(dir, 4).retry("{ attempts: 30, delay: 1s, multiplier: 1 }");
        Files.write(site.capFile("CAP_004"), new byte[] {1});
        ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_004"), Duration.ofMinutes(2));
        try (CapsyncProcess run = CapsyncProcess.run(site, "run", "job.yml")) {
            awaitRetrying(site.home(), run);
            run.kill();
        }
        client.close();
        assertThat(Repository.query(site.home(), "SELECT STATUS FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID FETCH FIRST 1 ROW ONLY").get(0))
                .containsEntry("STATUS", "STARTED");

        try (CapsyncProcess resumed = CapsyncProcess.run(site, "run", "job.yml")) {
            assertThat(resumed.waitFor(Duration.ofSeconds(60))).as(resumed.output()).isZero();
            assertThat(resumed.out()).containsPattern("client-lkp: 1 copied, 0 unchanged, 0 skipped, 0 failed \\(execution \\d+, COMPLETED\\)\\s*$");
        }
        assertThat(Repository.query(site.home(), "SELECT STATUS FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID FETCH FIRST 1 ROW ONLY").get(0))
                .containsEntry("STATUS", "FAILED");
        String log = Files.readString(site.home().resolve("logs/client-lkp.log"));
        assertThat(log).containsPattern("execution \\d+ was left STARTED by a process that is gone");
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).isEqualTo(site.sourceBytes());
        }
    }

    @Test
    void aRestartWithFewerThreadsStillCoversEveryPlannedPartition() throws Exception {
        TestSite site = TestSite.withCaps(dir, 12).threads(4).retry("{ attempts: 30, delay: 1s, multiplier: 1 }");
        killWhileRetrying(site, "CAP_001");
        // Pretend the kill came before any copy: every pair unfinished again, as after a kill right after the plan.
        Repository.update(site.home(), "UPDATE CAPSYNC_PAIR SET STATUS = 'PENDING', ATTEMPTS = 0");
        Repository.update(site.home(), "DELETE FROM CAPSYNC_ATTEMPT");
        Repository.update(site.home(), "DELETE FROM BATCH_STEP_EXECUTION_CONTEXT WHERE STEP_EXECUTION_ID IN "
                + "(SELECT STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE 'distribute%')");
        Repository.update(site.home(), "DELETE FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE 'distribute%'");
        for (String cap : site.caps()) {
            Files.write(site.capFile(cap), new byte[] {2});
        }

        Cli.Result resumed = Cli.run(site, "run", "job.yml", "--threads", "1");

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.lastLine()).startsWith("client-lkp: 12 copied, 0 unchanged");
    }

    @Test
    void newAbandonsTheUnfinishedRunAndStartsAFreshOne() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2).retry("{ attempts: 30, delay: 1s, multiplier: 1 }");
        killWhileRetrying(site, "CAP_001");

        Cli.Result fresh = Cli.run(site, "run", "job.yml", "--new");

        assertThat(fresh.exitCode()).as(fresh.err()).isZero();
        assertThat(fresh.lastLine()).matches("client-lkp: 1 copied, 1 unchanged, 0 skipped, 0 failed \\(execution \\d+, COMPLETED\\)");
        assertThat(Repository.query(site.home(), "SELECT STATUS FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID FETCH FIRST 1 ROW ONLY").get(0))
                .containsEntry("STATUS", "ABANDONED");
    }

    /**
     * A run killed with {@code kill -9} while a client holds {@code heldCap}'s older copy: every other pair's outcome is
     * committed and the held one is left in the retry step, the execution STARTED.
     */
    static void killWhileRetrying(TestSite site, String heldCap) throws Exception {
        Files.write(site.capFile(heldCap), new byte[] {1});
        try (ClientSimulator client = ClientSimulator.hold(site.capFile(heldCap), Duration.ofMinutes(2));
             CapsyncProcess run = CapsyncProcess.run(site, "run", "job.yml")) {
            awaitRetrying(site.home(), run);
            run.kill();
        }
    }

    static void awaitRetrying(Path home, CapsyncProcess run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && run.isAlive()) {
            try {
                // Only the held CAP left (the other pairs' outcomes are committed), and the retry step recorded as
                // running: the pair turns RETRY a moment before the distribute step ends and the retry step begins.
                if (Files.exists(home.resolve("repository/capsync.mv.db"))
                        && Repository.count(home, "SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE STATUS = 'RETRY'") > 0
                        && Repository.count(home, "SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE STATUS = 'PENDING'") == 0
                        && Repository.count(home, "SELECT COUNT(*) FROM BATCH_STEP_EXECUTION "
                                + "WHERE STEP_NAME = 'retry' AND STATUS = 'STARTED'") > 0) {
                    return;
                }
            } catch (IllegalStateException schemaNotThereYet) {
                // the run is still migrating the new repository
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the run never reached the retry step\n" + run.out() + run.err());
    }
}

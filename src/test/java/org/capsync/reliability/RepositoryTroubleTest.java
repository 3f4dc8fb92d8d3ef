package org.capsync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.Cli;
import org.capsync.support.Repository;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The job repository's file is broken under a run: one line on stderr naming the file and what to do, no stack trace
 * on stdout (the trace is in the job's log), exit 1; once the administrator did what the line says, the next run
 * works. One row per kind of trouble.
 */
class RepositoryTroubleTest {

    @TempDir
    Path dir;

    static Stream<Arguments> troubles() {
        return Stream.of(
                trouble("capsync.mv.db truncated", "capsync.mv.db", site -> truncate(site.home().resolve("repository/capsync.mv.db")),
                        site -> moveAside(site.home().resolve("repository/capsync.mv.db"))),
                trouble("capsync.mv.db overwritten with zeros", "capsync.mv.db", site -> zero(site.home().resolve("repository/capsync.mv.db")),
                        site -> moveAside(site.home().resolve("repository/capsync.mv.db"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("troubles")
    void aBrokenRepositoryIsOneLineOnStderrAndTheNextRunRecovers(String name, String file, Consumer<TestSite> breakIt,
            Consumer<TestSite> repair) throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        breakIt.accept(site);
        Files.write(site.capFile("CAP_001"), new byte[] {1});

        try (CapsyncProcess run = CapsyncProcess.run(site, "run", "job.yml")) {
            assertThat(run.waitFor(Duration.ofSeconds(120))).as(run.output()).isEqualTo(1);
            assertThat(run.err().strip().lines()).as(run.output()).hasSize(1);
            assertThat(run.err()).contains(file);
            assertThat(run.out()).as("no stack trace on stdout").doesNotContain("\tat ").doesNotContain("Exception");
        }

        repair.accept(site);
        Cli.Result next = Cli.run(site, "run", "job.yml");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
    }

    /** A CAPSYNC_HOME that cannot be made: one line that says why, exit 1, nothing touched; a usable one then works. */
    @Test
    void aHomeThatCannotBeMadeSaysWhyInOneLine() throws Exception {
        TestSite site = TestSite.withCaps(dir.resolve("site"), 1);
        Files.writeString(dir.resolve("a-file"), "");
        Path home = dir.resolve("a-file/capsync");

        Cli.Result result = Cli.run(home, site.root(), Map.of(), "run", "job.yml");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.err().strip().lines()).as(result.err()).hasSize(1);
        assertThat(result.err()).contains("cannot create CAPSYNC_HOME " + home + ": Not a directory");
        assertThat(Files.exists(site.capFile("CAP_001"))).isFalse();
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
    }

    /**
     * The commands that read the history, on the same broken file: one line on stderr naming it, exit 1, nothing but
     * their documented output on stdout, and the whole trace in CAPSYNC_HOME/logs/capsync.log.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("troubles")
    void aBrokenRepositoryIsOneLineForEveryHistoryCommand(String name, String file, Consumer<TestSite> breakIt,
            Consumer<TestSite> repair) throws Exception {
        TestSite site = TestSite.withCaps(dir, 1);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        breakIt.accept(site);

        for (List<String> command : List.of(List.of("history"), List.of("show", "1", "--json"),
                List.of("caps", site.jobName()), List.of("report", site.jobName(), "--html", dir.resolve("report.html").toString()))) {
            try (CapsyncProcess query = CapsyncProcess.run(site, command.toArray(String[]::new))) {
                assertThat(query.waitFor(Duration.ofSeconds(60))).as(command + "\n" + query.output()).isEqualTo(1);
                assertThat(query.err().strip().lines()).as(command + "\n" + query.output()).hasSize(1);
                assertThat(query.err()).as(command.toString()).contains(file).contains("damaged")
                        .doesNotContain("Exception:");
                assertThat(query.out()).as(command.toString()).isEmpty();
            }
        }
        assertThat(Files.readString(site.home().resolve("logs/capsync.log")))
                .contains("capsync history ended with exit 1").contains("\tat org.capsync.");
    }

    /**
     * A process that died after recording its execution's end but before its step's: the next run recovers the step
     * and resumes, where Spring Batch alone refuses ("Illegal state (only happens on a race condition)") as if another
     * run held the execution.
     */
    @Test
    void anExecutionEndedWithAStepStillRecordedRunningIsRecoveredAndResumed() throws Exception {
        TestSite site = TestSite.withCaps(dir, 3).retry("{ attempts: 30, delay: 1s, multiplier: 1 }");
        OverlapAndStopTest.killWhileRetrying(site, "CAP_002");
        Repository.update(site.home(), "UPDATE BATCH_JOB_EXECUTION SET STATUS = 'FAILED', EXIT_CODE = 'FAILED', "
                + "END_TIME = CURRENT_TIMESTAMP");
        assertThat(Repository.count(site.home(), "SELECT COUNT(*) FROM BATCH_STEP_EXECUTION WHERE STATUS = 'STARTED'"))
                .isPositive();

        Cli.Result next = Cli.run(site, "run", "job.yml");

        assertThat(next.exitCode()).as(next.out() + next.err()).isZero();
        assertThat(next.err()).doesNotContain("race condition");
        assertThat(Repository.count(site.home(), "SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION"))
                .as("the same run, resumed").isEqualTo(1);
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(site.sourceBytes());
        }
    }

    /**
     * The disk under CAPSYNC_HOME fills during a run (a file-size limit on the process makes the repository's file
     * unable to grow): the run's summary line (FAILED) is still the last line on stdout, one line on stderr says what
     * to do, and once there is room the next run recovers the execution and copies.
     */
    @Test
    void aFullDiskUnderTheHomeEndsTheRunWithItsSummaryAndTheNextRunRecovers() throws Exception {
        TestSite site = TestSite.withCaps(dir, 100);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        site.source("client.lkp", TestSite.bytes(16 * 1024, 2));
        long size = Files.size(site.home().resolve("repository/capsync.mv.db"));

        try (CapsyncProcess run = CapsyncProcess.startWithFileSizeLimit(site, size + 64 * 1024, "run", "job.yml")) {
            assertThat(run.waitFor(Duration.ofSeconds(120))).as(run.output()).isEqualTo(1);
            List<String> out = run.out().strip().lines().toList();
            assertThat(out).as(run.output()).isNotEmpty();
            assertThat(out.get(out.size() - 1)).as(run.output()).matches("client-lkp: \\d+ copied, \\d+ unchanged, \\d+ skipped, \\d+ failed \\(execution \\d+, FAILED\\)");
            assertThat(run.out()).as("no stack trace on stdout").doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(run.err().strip().lines()).as(run.output()).hasSize(1);
            assertThat(run.err()).contains("CAPSYNC_HOME").contains("File too large");
        }

        Cli.Result next = Cli.run(site, "run", "job.yml");
        assertThat(next.exitCode()).as(next.err()).isZero();
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(site.sourceBytes());
        }
    }

    /**
     * Two jobs share an embedded home; the first run serves the repository to the second (H2 auto-server) and is
     * killed. The second's run ends with its summary line last on stdout and exit 0 or 1 (a failure is one line on
     * stderr); a run of the second job afterwards finds every CAP current.
     */
    @Test
    void theServingProcessOfASharedHomeKilledLeavesTheOtherRunAnEndAndARecovery() throws Exception {
        TestSite first = TestSite.withCaps(dir.resolve("first"), 2).jobName("first-job").retry("{ attempts: 60, delay: 500ms, multiplier: 1 }");
        TestSite second = TestSite.withCaps(dir.resolve("second"), 2).jobName("second-job").retry("{ attempts: 60, delay: 500ms, multiplier: 1 }");
        Path home = dir.resolve("home");
        Files.write(first.capFile("CAP_001"), new byte[] {1});
        Files.write(second.capFile("CAP_001"), new byte[] {1});
        try (ClientSimulator a = ClientSimulator.hold(first.capFile("CAP_001"), Duration.ofMinutes(2));
             ClientSimulator b = ClientSimulator.hold(second.capFile("CAP_001"), Duration.ofMinutes(2));
             CapsyncProcess server = CapsyncProcess.start(home, first.root(), "run", "job.yml")) {
            OverlapAndStopTest.awaitRetrying(home, server);
            try (CapsyncProcess served = CapsyncProcess.start(home, second.root(), "run", "job.yml")) {
                awaitSecondRetrying(home, served);
                server.kill();
                b.close();

                int code = served.waitFor(Duration.ofSeconds(90));
                List<String> out = served.out().strip().lines().toList();
                assertThat(code).as(served.output()).isIn(0, 1);
                assertThat(out).as(served.output()).isNotEmpty();
                assertThat(out.get(out.size() - 1)).as(served.output()).matches("second-job: .* \\(execution \\d+, (COMPLETED|FAILED)\\)");
                assertThat(served.out()).as("no stack trace on stdout").doesNotContain("\tat ");
                if (code != 0) {
                    assertThat(served.err().strip().lines()).as(served.output()).hasSize(1);
                    assertThat(served.err()).contains("run again");
                }
            }
        }
        Cli.Result again = Cli.run(home, second.root(), "run", "job.yml");
        assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
        assertThat(second.capBytes("CAP_001")).isEqualTo(second.sourceBytes());
    }

    private static void awaitSecondRetrying(Path home, CapsyncProcess run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && run.isAlive()) {
            if (Repository.count(home,
                    "SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_NAME = 'second-job' AND STATUS = 'RETRY'") > 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the second run never retried\n" + run.output());
    }

    private static Arguments trouble(String name, String file, Consumer<TestSite> breakIt, Consumer<TestSite> repair) {
        return Arguments.of(name, file, breakIt, repair);
    }

    private static void truncate(Path file) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() / 2);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void zero(Path file) {
        try {
            Files.write(file, new byte[(int) Files.size(file)]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void moveAside(Path file) {
        try {
            Files.move(file, file.resolveSibling(file.getFileName() + ".damaged"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

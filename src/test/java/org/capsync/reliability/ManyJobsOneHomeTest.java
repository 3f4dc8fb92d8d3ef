package org.capsync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.capsync.support.CapsyncProcess;
import org.capsync.support.Repository;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scheduler that starts every job at 02:00: many {@code capsync run} processes of different jobs start at the same
 * moment on one embedded home that none of them has created yet (H2's auto-server: the first to open it serves the
 * others). Every one completes and records its run; none ends with a repository error.
 */
class ManyJobsOneHomeTest {

    private static final int JOBS = 20;

    @TempDir
    Path dir;

    @Test
    void twentyJobsStartedAtOnceOnOneNewHomeAllCompleteAndRecord() throws Exception {
        Path home = dir.resolve("home");
        List<TestSite> sites = new ArrayList<>();
        for (int i = 1; i <= JOBS; i++) {
            sites.add(TestSite.withCaps(dir.resolve("site-" + i), 2).jobName("job-" + i));
        }
        CyclicBarrier barrier = new CyclicBarrier(JOBS);
        ExecutorService starters = Executors.newFixedThreadPool(JOBS);
        List<CapsyncProcess> runs = new ArrayList<>();
        try {
            List<Future<CapsyncProcess>> started = new ArrayList<>();
            for (TestSite site : sites) {
                started.add(starters.submit(() -> {
                    barrier.await();
                    return CapsyncProcess.start(home, site.root(), "run", "job.yml");
                }));
            }
            for (Future<CapsyncProcess> run : started) {
                runs.add(run.get());
            }
            for (int i = 0; i < JOBS; i++) {
                CapsyncProcess run = runs.get(i);
                assertThat(run.waitFor(Duration.ofSeconds(180))).as("job-" + (i + 1) + "\n" + run.output()).isZero();
                assertThat(run.out()).as(run.output()).containsPattern(
                        "job-" + (i + 1) + ": 2 copied, 0 unchanged, 0 skipped, 0 failed \\(execution \\d+, COMPLETED\\)\\s*$");
                assertThat(run.err()).as("job-" + (i + 1)).isEmpty();
            }
        } finally {
            runs.forEach(CapsyncProcess::close);
            starters.shutdownNow();
        }
        assertThat(Repository.count(home, "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'")).isEqualTo(JOBS);
        assertThat(Repository.count(home, "SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE STATUS = 'COPIED'")).isEqualTo(2L * JOBS);
    }
}

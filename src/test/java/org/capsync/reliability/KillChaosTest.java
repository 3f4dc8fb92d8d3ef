package org.capsync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.capsync.support.CapsyncProcess;
import org.capsync.support.Repository;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random points of a run, several times, then a run to the end: every CAP holds the source's bytes, no temp
 * file is left, no execution stays STARTED, a reader polling the CAPs never finds a file missing or partial, and pairs
 * finished before a kill are not copied again. Small by default; {@code -Dchaos.caps=3000 -Dchaos.kills=10} for the long
 * version (src/test/chaos/long-chaos.sh).
 */
class KillChaosTest {

    @TempDir
    Path dir;

    @Test
    void runsKilledRepeatedlyEndWithEveryCapCurrentAndNothingCopiedTwice() throws Exception {
        int caps = Integer.getInteger("chaos.caps", 600);
        int kills = Integer.getInteger("chaos.kills", 3);
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        TestSite site = TestSite.withCaps(dir, caps).threads(2);
        byte[] old = TestSite.bytes(16 * 1024, 1);
        byte[] fresh = TestSite.bytes(16 * 1024, 2);
        site.source("client.lkp", fresh);
        Map<String, Object> initialInode = new HashMap<>();
        for (String cap : site.caps()) {
            Files.write(site.capFile(cap), old);
            initialInode.put(cap, inode(site.capFile(cap)));
        }

        CapReader reader = new CapReader(site, old, fresh);
        reader.start();
        Map<String, Object> finishedInodes = new HashMap<>();
        int killed = 0;
        for (int k = 0; k < kills; k++) {
            int threshold = (int) (caps * (k + random.nextDouble()) / (kills + 1));
            try (CapsyncProcess run = CapsyncProcess.run(site, "run", "job.yml")) {
                while (run.isAlive() && replaced(site, initialInode) < threshold) {
                    Thread.sleep(2);
                }
                if (run.isAlive()) {
                    run.kill();
                    killed++;
                }
            }
            // What the repository says is finished must never be written again.
            for (Map<String, Object> row : Repository.query(site.home(),
                    "SELECT CAP_NAME FROM CAPSYNC_PAIR WHERE STATUS IN ('COPIED', 'UNCHANGED')")) {
                String cap = (String) row.get("CAP_NAME");
                finishedInodes.putIfAbsent(cap, inode(site.capFile(cap)));
            }
        }
        try (CapsyncProcess last = CapsyncProcess.run(site, "run", "job.yml")) {
            assertThat(last.waitFor(Duration.ofMinutes(3))).as(last.err()).isEqualTo(0);
        }
        reader.stop();
        System.out.printf("chaos: %d CAPs, %d kills landed mid-run of %d, %d reads by the polling client, %d problems, seed %d%n",
                caps, killed, kills, reader.reads(), reader.problems().size(), seed);

        assertThat(killed).as("kills that landed mid-run (seed " + seed + ")").isGreaterThan(0);
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(fresh);
        }
        assertThat(site.strayFilesAtCaps()).as("temp files left").isEmpty();
        assertThat(Repository.count(site.home(), "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS IN ('STARTED', 'STOPPING')")).isZero();
        assertThat(reader.problems()).as("what a client reading the CAPs saw").isEmpty();
        assertThat(reader.reads()).isGreaterThan(100);
        finishedInodes.forEach((cap, inode) ->
                assertThat(inode(site.capFile(cap))).as(cap + " was finished before a kill and written again").isEqualTo(inode));
        assertThat(Repository.count(site.home(),
                "SELECT COUNT(*) FROM (SELECT PAIR_ID FROM CAPSYNC_ATTEMPT WHERE RESULT IN ('COPIED', 'UNCHANGED') GROUP BY PAIR_ID HAVING COUNT(*) > 1)"))
                .as("pairs recorded as finished twice").isZero();
    }

    private static long replaced(TestSite site, Map<String, Object> initialInode) {
        long n = 0;
        for (String cap : site.caps()) {
            if (!initialInode.get(cap).equals(inode(site.capFile(cap)))) {
                n++;
            }
        }
        return n;
    }

    private static Object inode(Path file) {
        try {
            return Files.getAttribute(file, "unix:ino");
        } catch (IOException e) {
            return "missing";
        }
    }

    /** A client that keeps reading client.lkp at random CAPs: it must only ever see the old or the new file. */
    static final class CapReader {
        private final TestSite site;
        private final byte[] old;
        private final byte[] fresh;
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicLong reads = new AtomicLong();
        private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        private Thread thread;

        CapReader(TestSite site, byte[] old, byte[] fresh) {
            this.site = site;
            this.old = old;
            this.fresh = fresh;
        }

        void start() {
            thread = new Thread(() -> {
                Random random = new Random();
                List<String> caps = site.caps();
                while (!done.get()) {
                    String cap = caps.get(random.nextInt(caps.size()));
                    try {
                        byte[] seen = Files.readAllBytes(site.capFile(cap));
                        reads.incrementAndGet();
                        if (!Arrays.equals(seen, old) && !Arrays.equals(seen, fresh)) {
                            problems.add(cap + ": partial file of " + seen.length + " bytes");
                        }
                    } catch (NoSuchFileException e) {
                        problems.add(cap + ": file missing");
                    } catch (IOException e) {
                        problems.add(cap + ": " + e);
                    }
                }
            }, "cap-reader");
            thread.start();
        }

        void stop() throws InterruptedException {
            done.set(true);
            thread.join();
        }

        long reads() {
            return reads.get();
        }

        List<String> problems() {
            return problems;
        }
    }
}

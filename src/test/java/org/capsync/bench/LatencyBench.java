package org.capsync.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.capsync.support.Repository;
import org.capsync.support.SambaServer;

/**
 * Figure 4: copies to CAPs on a real Samba share (the test suite's {@link SambaServer}) reached through a
 * {@link DelayingProxy} that adds a fixed delay each way, with 1 and with 16 threads: the whole {@code ./capsync run}
 * process, start-up included, and the distribute step alone (the copying, as the job repository recorded it).
 */
final class LatencyBench {

    /** Medians in milliseconds: whole process, and the distribute step alone (from the job repository). */
    record Result(double oneThread, double sixteenThreads, double oneThreadCopying, double sixteenThreadsCopying) {
    }

    private final Path work;
    private final Path app;

    LatencyBench(Path work, Path app) {
        this.work = work;
        this.app = app;
    }

    /** How long the last run's distribute step took, as the job repository recorded it. */
    private static double distributeMillis(Path home) {
        try (Connection c = Repository.connect(home);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT START_TIME, END_TIME FROM BATCH_STEP_EXECUTION WHERE STEP_NAME = 'distribute' "
                     + "ORDER BY STEP_EXECUTION_ID DESC FETCH FIRST 1 ROWS ONLY")) {
            rs.next();
            return Duration.between(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant()).toNanos() / 1e6;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the distribute step's times: " + e.getMessage(), e);
        }
    }

    /** Why figure 4 cannot run here, or null when it can. */
    static String unavailable() {
        for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
            if (Files.isExecutable(Path.of(dir, "smbd"))) {
                return null;
            }
        }
        return "smbd is not installed (apt-get install samba; the test command installs it)";
    }

    /**
     * @param servers over how many server addresses the CAPs are spread (round-robin): each is a proxy port of its own
     *                in front of the same smbd, so capsync holds one SMB connection per address, as it does per server
     */
    Result run(int caps, long delayMillis, int reps, int servers) throws IOException, InterruptedException {
        Path base = Files.createTempDirectory(Files.createDirectories(work), "samba");
        // Guests are 'nobody' to smbd: the folders above the shares must let it through.
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<DelayingProxy> proxies = new ArrayList<>();
        try (SambaServer samba = SambaServer.in(Files.createDirectory(base.resolve("server"))).guestShare("caps").start()) {
            for (int i = 0; i < servers; i++) {
                proxies.add(new DelayingProxy(new InetSocketAddress(samba.host(), samba.port()), delayMillis));
            }
            StringBuilder csv = new StringBuilder("name,path\n");
            for (int i = 1; i <= caps; i++) {
                String cap = String.format("CAP_%03d", i);
                samba.folder("caps", cap + "/clidata.box");
                csv.append(cap).append(",smb://127.0.0.1:").append(proxies.get(i % servers).port()).append("/caps/")
                        .append(cap).append('\n');
            }
            BenchSite site = new BenchSite(base.resolve("site"));
            BenchSite.write(site.root().resolve("caps.csv"), csv.toString());
            Path job = site.root().resolve("job.yml");
            BenchSite.write(job, "name: bench-smb\nsource: inbox\nfiles: [client.lkp]\ncaps: caps.csv\n"
                    + "target: clidata.box\nretry: { attempts: 2, delay: 100ms }\nthreads: 16\n");
            long seed = System.nanoTime();
            Benchmark.Samples one = new Benchmark.Samples();
            Benchmark.Samples sixteen = new Benchmark.Samples();
            Benchmark.Samples oneCopying = new Benchmark.Samples();
            Benchmark.Samples sixteenCopying = new Benchmark.Samples();
            // One thread takes a minute a run, sixteen a few seconds: more runs of the short one for its median.
            for (int rep = 0; rep < 3 * reps; rep++) {
                for (int threads : rep % 3 == 0 ? new int[] {1, 16} : new int[] {16}) {
                    site.newSource(seed++);
                    CapsyncRun run = CapsyncRun.run(app, site.home(), Map.of(), "run", job.toString(), "--threads",
                            Integer.toString(threads)).expect(0, caps + " copied, 0 unchanged");
                    (threads == 1 ? one : sixteen).add(run.millis());
                    (threads == 1 ? oneCopying : sixteenCopying).add(distributeMillis(site.home()));
                }
            }
            System.out.printf("  threads 1: %s, distribute step %s%n  threads 16: %s, distribute step %s%n", one, oneCopying,
                    sixteen, sixteenCopying);
            return new Result(one.median(), sixteen.median(), oneCopying.median(), sixteenCopying.median());
        } finally {
            for (DelayingProxy proxy : proxies) {
                proxy.close();
            }
        }
    }
}

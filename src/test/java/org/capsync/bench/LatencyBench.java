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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.capsync.support.DelayingProxy;
import org.capsync.support.Repository;
import org.capsync.support.SambaServer;

/**
 * Figure 4: copies to CAPs on a real Samba share (the test suite's {@link SambaServer}) reached through a
 * {@link DelayingProxy} that adds a fixed delay each way, with 1 and with 16 threads: the whole {@code ./capsync run}
 * process, start-up included, and the distribute step alone (the copying, as the job repository recorded it).
 */
final class LatencyBench {

    /** Where the CAPs are: folders of one share (one tree connect per connection), or a share each, as real CAPs are. */
    enum Layout {
        FOLDERS_OF_ONE_SHARE("folders of one share"), SHARE_PER_CAP("one share per CAP");

        final String label;

        Layout(String label) {
            this.label = label;
        }
    }

    /**
     * Medians in milliseconds, whole process and the distribute step alone (from the job repository), for 1 thread,
     * 16 threads with the default pool of connections, and 16 threads on one connection; and the SMB requests per CAP
     * the proxy carried (each a round trip for its thread), for a run that copies every CAP and for a rerun that finds
     * them all current, the run's own requests (negotiate, logon, logoff per connection) included; and of those, the
     * round trips the thread waited for (a request sent behind one still unanswered, such as a CLOSE whose answer is not
     * awaited, shares its round trip), both at one thread. Every measured run replaces an older file at each CAP.
     */
    record Result(double oneThread, double sixteenThreads, double sixteenOnOneConnection, double oneThreadCopying,
            double sixteenThreadsCopying, double sixteenOnOneConnectionCopying, double requestsPerNewCap,
            double requestsPerCurrentCap, double turnsPerNewCap, double turnsPerCurrentCap) {
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

    /** When the last run's job execution ended, as the job repository recorded it (this machine's clock). */
    private static Instant jobEnd(Path home) {
        try (Connection c = Repository.connect(home);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT END_TIME FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID DESC FETCH FIRST 1 ROWS ONLY")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the job's end: " + e.getMessage(), e);
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
     *                in front of the same smbd, so capsync holds a pool of connections per address, as it does per server
     */
    Result run(int caps, long delayMillis, int reps, int servers, Layout layout) throws IOException, InterruptedException {
        Path base = Files.createTempDirectory(Files.createDirectories(work), "samba");
        // Guests are 'nobody' to smbd: the folders above the shares must let it through.
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<DelayingProxy> proxies = new ArrayList<>();
        SambaServer.Builder builder = SambaServer.in(Files.createDirectory(base.resolve("server")));
        if (layout == Layout.FOLDERS_OF_ONE_SHARE) {
            builder.guestShare("caps");
        } else {
            for (int i = 1; i <= caps; i++) {
                builder.guestShare(String.format("CAP_%03d", i));
            }
        }
        try (SambaServer samba = builder.start()) {
            for (int i = 0; i < servers; i++) {
                proxies.add(new DelayingProxy(new InetSocketAddress(samba.host(), samba.port()), delayMillis));
            }
            StringBuilder csv = new StringBuilder("name,path\n");
            for (int i = 1; i <= caps; i++) {
                String cap = String.format("CAP_%03d", i);
                String url = "smb://127.0.0.1:" + proxies.get(i % servers).port();
                if (layout == Layout.FOLDERS_OF_ONE_SHARE) {
                    samba.folder("caps", cap + "/clidata.box");
                    url += "/caps/" + cap;
                } else {
                    samba.folder(cap, "clidata.box");
                    url += "/" + cap;
                }
                csv.append(cap).append(',').append(url).append('\n');
            }
            BenchSite site = new BenchSite(base.resolve("site"));
            BenchSite.write(site.root().resolve("caps.csv"), csv.toString());
            String jobText = "name: bench-smb\nsource: inbox\nfiles: [client.lkp]\ncaps: caps.csv\n"
                    + "target: clidata.box\nretry: { attempts: 2, delay: 100ms }\nthreads: 16\n";
            Path pooled = site.root().resolve("job.yml");
            BenchSite.write(pooled, jobText);
            Path single = site.root().resolve("job-one-connection.yml");
            BenchSite.write(single, jobText + "smb-connections: 1\n");
            long seed = System.nanoTime();
            Benchmark.Samples one = new Benchmark.Samples();
            Benchmark.Samples sixteen = new Benchmark.Samples();
            Benchmark.Samples sixteenSingle = new Benchmark.Samples();
            Benchmark.Samples oneCopying = new Benchmark.Samples();
            Benchmark.Samples sixteenCopying = new Benchmark.Samples();
            Benchmark.Samples sixteenSingleCopying = new Benchmark.Samples();
            Benchmark.Samples closing = new Benchmark.Samples();
            double requestsPerNewCap = Double.NaN;
            double turnsPerNewCap = Double.NaN;
            // Untimed: the launcher's first run after a build also makes its start-up archive, and the CAPs get a file
            // to replace, as on every night but the first.
            site.newSource(seed++);
            CapsyncRun.run(app, site.home(), Map.of(), "run", pooled.toString()).expect(0, caps + " copied, 0 unchanged");
            // One thread takes most of a minute a run, sixteen a few seconds: more runs of the short ones for their medians.
            for (int rep = 0; rep < 3 * reps; rep++) {
                for (int threads : rep % 3 == 0 ? new int[] {1, 16, -16} : new int[] {16, -16}) {
                    site.newSource(seed++);
                    long requestsBefore = requests(proxies);
                    long turnsBefore = turns(proxies);
                    Instant started = Instant.now();
                    CapsyncRun run = CapsyncRun.run(app, site.home(), Map.of(), "run", (threads < 0 ? single : pooled).toString(),
                            "--threads", Integer.toString(Math.abs(threads))).expect(0, caps + " copied, 0 unchanged");
                    if (threads == 1 && rep == 0) {
                        requestsPerNewCap = (double) (requests(proxies) - requestsBefore) / caps;
                        turnsPerNewCap = (double) (turns(proxies) - turnsBefore) / caps;
                    }
                    (threads == 1 ? one : threads > 0 ? sixteen : sixteenSingle).add(run.millis());
                    (threads == 1 ? oneCopying : threads > 0 ? sixteenCopying : sixteenSingleCopying).add(distributeMillis(site.home()));
                    // What the run's close costs (SMB logoff, repository close, JVM exit): job ended to process exit.
                    closing.add(Duration.between(jobEnd(site.home()), started.plusNanos((long) (run.millis() * 1e6))).toNanos() / 1e6);
                }
            }
            // One thread: the round trips waited for are exact only when no other thread shares the connection.
            long requestsBefore = requests(proxies);
            long turnsBefore = turns(proxies);
            CapsyncRun.run(app, site.home(), Map.of(), "run", single.toString(), "--threads", "1")
                    .expect(0, "0 copied, " + caps + " unchanged");
            double requestsPerCurrentCap = (double) (requests(proxies) - requestsBefore) / caps;
            double turnsPerCurrentCap = (double) (turns(proxies) - turnsBefore) / caps;
            System.out.printf("  %s, threads 1: %s, distribute step %s%n  threads 16 (default pool): %s, distribute step %s%n"
                            + "  threads 16, one connection: %s, distribute step %s%n"
                            + "  job ended to process exit, every run: %s%n"
                            + "  SMB requests per CAP (the run's logons included): %.2f copying, %.2f current%n"
                            + "  round trips waited for per CAP, threads 1: %.2f copying, %.2f current%n",
                    layout.label, one, oneCopying, sixteen, sixteenCopying, sixteenSingle, sixteenSingleCopying, closing,
                    requestsPerNewCap, requestsPerCurrentCap, turnsPerNewCap, turnsPerCurrentCap);
            return new Result(one.median(), sixteen.median(), sixteenSingle.median(), oneCopying.median(),
                    sixteenCopying.median(), sixteenSingleCopying.median(), requestsPerNewCap, requestsPerCurrentCap,
                    turnsPerNewCap, turnsPerCurrentCap);
        } finally {
            for (DelayingProxy proxy : proxies) {
                proxy.close();
            }
        }
    }

    private static long requests(List<DelayingProxy> proxies) {
        return proxies.stream().mapToLong(DelayingProxy::requests).sum();
    }

    private static long turns(List<DelayingProxy> proxies) {
        return proxies.stream().mapToLong(DelayingProxy::turns).sum();
    }
}

package org.capsync.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.capsync.support.SambaServer;

/**
 * Figure 4: copies to CAPs on a real Samba share (the test suite's {@link SambaServer}) reached through a
 * {@link DelayingProxy} that adds a fixed delay each way, with 1 and with 16 threads. The time is the whole
 * {@code ./capsync run} process, start-up included.
 */
final class LatencyBench {

    record Result(double oneThread, double sixteenThreads) {
    }

    private final Path work;
    private final Path app;

    LatencyBench(Path work, Path app) {
        this.work = work;
        this.app = app;
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

    Result run(int caps, long delayMillis, int reps) throws IOException, InterruptedException {
        Path base = Files.createTempDirectory(Files.createDirectories(work), "samba");
        // Guests are 'nobody' to smbd: the folders above the shares must let it through.
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (SambaServer samba = SambaServer.in(Files.createDirectory(base.resolve("server"))).guestShare("caps").start();
             DelayingProxy proxy = new DelayingProxy(new InetSocketAddress(samba.host(), samba.port()), delayMillis)) {
            StringBuilder csv = new StringBuilder("name,path\n");
            for (int i = 1; i <= caps; i++) {
                String cap = String.format("CAP_%03d", i);
                samba.folder("caps", cap + "/clidata.box");
                csv.append(cap).append(",smb://127.0.0.1:").append(proxy.port()).append("/caps/").append(cap).append('\n');
            }
            BenchSite site = new BenchSite(base.resolve("site"));
            BenchSite.write(site.root().resolve("caps.csv"), csv.toString());
            Path job = site.root().resolve("job.yml");
            BenchSite.write(job, "name: bench-smb\nsource: inbox\nfiles: [client.lkp]\ncaps: caps.csv\n"
                    + "target: clidata.box\nretry: { attempts: 2, delay: 100ms }\nthreads: 16\n");
            long seed = System.nanoTime();
            Benchmark.Samples one = new Benchmark.Samples();
            Benchmark.Samples sixteen = new Benchmark.Samples();
            for (int rep = 0; rep < reps; rep++) {
                for (int threads : new int[] {1, 16}) {
                    site.newSource(seed++);
                    CapsyncRun run = CapsyncRun.run(app, site.home(), Map.of(), "run", job.toString(), "--threads",
                            Integer.toString(threads)).expect(0, caps + " copied, 0 unchanged");
                    (threads == 1 ? one : sixteen).add(run.millis());
                }
            }
            System.out.printf("  threads 1: %s%n  threads 16: %s%n", one, sixteen);
            return new Result(one.median(), sixteen.median());
        }
    }
}

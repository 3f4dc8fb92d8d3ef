package org.capsync.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.capsync.support.ArtemisBroker;
import org.capsync.support.DelayingProxy;
import org.capsync.support.PostgresServer;
import org.capsync.support.SambaServer;

/**
 * Figure 8: a job on workers, 200 CAPs on Samba behind a {@link DelayingProxy} (as figure 4), all in one region, with 1
 * and with 3 workers of that region, each with the same copy threads: {@code capsync run} from process start to exit,
 * the workers already up. A real Artemis broker and PostgreSQL server, as the tests start them.
 */
final class WorkersBench {

    /** Medians in milliseconds. */
    record Result(double oneWorker, double threeWorkers) {
    }

    private static final int WORKER_THREADS = 4;

    private final Path work;
    private final Path app;

    WorkersBench(Path work, Path app) {
        this.work = work;
        this.app = app;
    }

    Result run(int caps, long delayMillis, int reps) throws Exception {
        Path base = Files.createTempDirectory(Files.createDirectories(work), "workers");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        PostgresServer postgres = new PostgresServer();
        postgres.beforeAll(null);
        List<Process> workers = new ArrayList<>();
        try (ArtemisBroker broker = ArtemisBroker.start();
             SambaServer samba = SambaServer.in(Files.createDirectory(base.resolve("server"))).guestShare("caps").start();
             DelayingProxy proxy = new DelayingProxy(new InetSocketAddress(samba.host(), samba.port()), delayMillis)) {
            StringBuilder csv = new StringBuilder("name,path,region\n");
            for (int i = 1; i <= caps; i++) {
                String cap = String.format("CAP_%03d", i);
                samba.folder("caps", cap + "/clidata.box");
                csv.append(cap).append(",smb://127.0.0.1:").append(proxy.port()).append("/caps/").append(cap).append(",near\n");
            }
            BenchSite site = new BenchSite(base.resolve("site"));
            BenchSite.write(site.root().resolve("caps.csv"), csv.toString());
            Path job = site.root().resolve("job.yml");
            // Partitions per region: enough for three workers to share, one partition at a time each.
            BenchSite.write(job, "name: bench-workers\nsource: inbox\nfiles: [client.lkp]\ncaps: caps.csv\n"
                    + "target: clidata.box\nretry: { attempts: 2, delay: 100ms }\nthreads: 6\nworkers: true\nworker-timeout: 1m\n");
            long seed = System.nanoTime();
            Map<Integer, Benchmark.Samples> samples = new HashMap<>();
            for (int count : new int[] {1, 3}) {
                String db = "bench_workers_" + count;
                postgres.createDatabase(db);
                Map<String, String> env = new HashMap<>(postgres.env(db));
                env.putAll(broker.env());
                for (int w = 0; w < count; w++) {
                    workers.add(worker(base.resolve("worker-" + count + "-" + w), env));
                }
                Benchmark.Samples times = samples.computeIfAbsent(count, c -> new Benchmark.Samples());
                // Not counted: the database's first run (its schema) and the launcher's start-up archive after a build.
                site.newSource(seed++);
                CapsyncRun.run(app, site.home(), env, "run", job.toString()).expect(0, caps + " copied, 0 unchanged");
                for (int rep = 0; rep < reps; rep++) {
                    site.newSource(seed++);
                    CapsyncRun run = CapsyncRun.run(app, site.home(), env, "run", job.toString())
                            .expect(0, caps + " copied, 0 unchanged");
                    times.add(run.millis());
                }
                System.out.printf("  %d worker(s) of %d threads: %s%n", count, WORKER_THREADS, times);
                workers.forEach(Process::destroy);
                for (Process p : workers) {
                    p.waitFor(60, TimeUnit.SECONDS);
                }
                workers.clear();
            }
            return new Result(samples.get(1).median(), samples.get(3).median());
        } finally {
            workers.forEach(Process::destroyForcibly);
            postgres.afterAll(null);
        }
    }

    private Process worker(Path home, Map<String, String> env) throws IOException, InterruptedException {
        Files.createDirectories(home);
        Path out = home.resolve("worker.out");
        ProcessBuilder builder = new ProcessBuilder(app.resolve("capsync").toString(), "worker", "--region", "near",
                "--threads", Integer.toString(WORKER_THREADS)).directory(app.toFile())
                .redirectOutput(out.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("CAPSYNC_HOME", home.toString());
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(out).contains("serving regions")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the worker did not start: " + Files.readString(out));
            }
            Thread.sleep(100);
        }
        return process;
    }
}

package org.capsync.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.capsync.support.Repository;

/**
 * capsync's benchmark (issue 6): every figure next to the same work done by a plain Java loop measured in the same
 * run, as a ratio. capsync is always the real thing: {@code ./capsync run} as a separate process on real folders,
 * recording everything in its H2 repository. Per-CAP costs are marginal (the slope between two sizes), so that
 * process start-up cancels out. Medians of several runs, interleaved with the plain loop, because this machine is
 * shared.
 *
 * <p>Run through {@code src/test/bench/run.sh [FIGURE...]}; arguments here: the capsync folder, then figure numbers.
 */
public final class Benchmark {

    private final Path app;
    private final Path work;
    private final int small;
    private final int large;
    private final int huge;
    private final int reps;
    private final List<String[]> table = new ArrayList<>();

    private Benchmark(Path app, Path work, double scale, int reps) {
        this.app = app;
        this.work = work;
        this.small = (int) (1_000 * scale);
        this.large = (int) (10_000 * scale);
        this.huge = (int) (100_000 * scale);
        this.reps = reps;
    }

    public static void main(String[] args) throws Exception {
        Path app = Path.of(args[0]).toAbsolutePath();
        Set<Integer> figures = new TreeSet<>();
        for (int i = 1; i < args.length; i++) {
            figures.add(Integer.parseInt(args[i]));
        }
        if (figures.isEmpty()) {
            figures.addAll(List.of(1, 2, 3, 4, 5, 6, 7, 9));
        }
        double scale = Double.parseDouble(env("BENCH_SCALE", "1"));
        int reps = Integer.parseInt(env("BENCH_REPS", "3"));
        Path work = Path.of(env("BENCH_DIR", app.resolve("target/bench").toString())).toAbsolutePath();
        Benchmark bench = new Benchmark(app, work, scale, reps);
        System.out.printf("capsync benchmark %s: %d cores, %s, %s %s; load %s; scratch %s%n", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), loadAverage(), work);
        for (int figure : figures) {
            switch (figure) {
                case 1 -> bench.copyPerCap();
                case 2 -> bench.oneCapEndToEnd();
                case 3 -> bench.rerunUnchanged();
                case 4 -> bench.latencyBound();
                case 5 -> bench.hundredThousand();
                case 6 -> bench.history();
                case 7 -> bench.installedStartUp();
                case 8 -> bench.workers();
                case 9 -> bench.interactiveCommands();
                default -> throw new IllegalArgumentException("no figure " + figure);
            }
        }
        bench.printTable();
    }

    /** Figure 1: marginal cost per copied CAP, threads 1 and 4, next to the plain copy loop. */
    private void copyPerCap() throws Exception {
        BenchSite site = new BenchSite(work.resolve("site")).withCaps(large);
        PlainLoop plain = new PlainLoop();
        List<Path> plainSmall = site.plainFolders(small);
        List<Path> plainLarge = site.plainFolders(large);
        long seed = System.nanoTime();
        site.newSource(seed++);
        plain.copy(site.source(), plainLarge); // targets exist from here on: every later pass replaces, as capsync does
        for (int threads : new int[] {1, 4}) {
            heading("1", "copy " + BenchSite.FILE_SIZE / 1024 + " KB to each CAP, threads " + threads);
            Samples plainS = new Samples(), plainL = new Samples(), capS = new Samples(), capL = new Samples();
            for (int size : new int[] {small, large}) { // fill every CAP once, so that the measured runs replace
                site.newSource(seed++);
                capsync(site, size, threads).expect(0, "failed (execution");
            }
            for (int rep = 0; rep < reps; rep++) {
                site.newSource(seed++);
                plainS.add(plain.copy(site.source(), plainSmall) / 1e6);
                plainL.add(plain.copy(site.source(), plainLarge) / 1e6);
                capS.add(capsync(site, small, threads).expect(0, small + " copied, 0 unchanged").millis());
                site.newSource(seed++);
                capL.add(capsync(site, large, threads).expect(0, large + " copied, 0 unchanged").millis());
            }
            double capPerCap = slope(small, capS, large, capL);
            double plainPerCap = slope(small, plainS, large, plainL);
            detail("capsync runs (ms)", small, capS, large, capL);
            detail("plain loop (ms)", small, plainS, large, plainL);
            row("1", "copy per CAP, threads " + threads + " (marginal " + small + "→" + large + ")",
                    ms(capPerCap), ms(plainPerCap), capPerCap / plainPerCap, 3, "≤ 3×");
        }
    }

    /** Figure 2: one CAP through {@code ./capsync run}, process start to exit. */
    private void oneCapEndToEnd() throws Exception {
        heading("2", "one CAP end to end through ./capsync run");
        BenchSite site = new BenchSite(work.resolve("one"));
        Path job = site.job(1);
        long seed = System.nanoTime();
        site.newSource(seed++);
        CapsyncRun first = CapsyncRun.run(app, site.home(), Map.of(), "run", job.toString()).expect(0, "1 copied");
        System.out.printf("  first run (may build the start-up archive): %.0f ms%n", first.millis());
        Samples runs = new Samples(), noArchive = new Samples(), floor = new Samples();
        for (int rep = 0; rep < Math.max(7, reps); rep++) {
            site.newSource(seed++);
            runs.add(CapsyncRun.run(app, site.home(), Map.of(), "run", job.toString()).expect(0, "1 copied").millis());
            floor.add(plainProcess(site));
            if (rep < 3) {
                site.newSource(seed++);
                noArchive.add(CapsyncRun.run(app, site.home(), Map.of("CAPSYNC_CDS", "off"), "run", job.toString())
                        .expect(0, "1 copied").millis());
            }
        }
        System.out.printf("  capsync: %s%n  without the class-data archive (CAPSYNC_CDS=off): %s%n"
                + "  plain loop in a fresh JVM (java -cp ... PlainLoop): %s%n", runs, noArchive, floor);
        row("2", "1 CAP, process start to exit (median of " + runs.size() + ")", ms(runs.median()),
                ms(floor.median()) + " (JVM + 1 copy)", runs.median() / floor.median(), Double.NaN,
                runs.median() <= 1500 ? "≤ 1.5 s: met" : "≤ 1.5 s: NOT met");
    }

    /**
     * Figure 7: figure 2's run through an installation (the release tar.gz unpacked, its start-up archive in
     * CAPSYNC_HOME/cache) next to the same run through the source tree's ./capsync, alternated so that load hits both.
     */
    private void installedStartUp() throws Exception {
        heading("7", "one CAP end to end: an installation's bin/capsync next to the source tree's ./capsync");
        Path release;
        try (var files = Files.list(app.resolve("target"))) {
            release = files.filter(f -> f.getFileName().toString().matches("capsync-.+\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/capsync-VERSION.tar.gz: run.sh builds it"));
        }
        Path installation = work.resolve("installed");
        deleteTree(installation);
        Files.createDirectories(installation);
        Process untar = new ProcessBuilder("tar", "-xzf", release.toString(), "-C", installation.toString()).inheritIO().start();
        if (untar.waitFor() != 0) {
            throw new IllegalStateException("tar could not unpack " + release);
        }
        Path launcher;
        try (var top = Files.list(installation)) {
            launcher = top.findFirst().orElseThrow().resolve("bin/capsync");
        }
        BenchSite site = new BenchSite(work.resolve("installed-one"));
        Path job = site.job(1);
        long seed = System.nanoTime();
        site.newSource(seed++);
        CapsyncRun firstInstalled = CapsyncRun.run(launcher, work, site.home(), Map.of(), "run", job.toString()).expect(0, "1 copied");
        site.newSource(seed++);
        CapsyncRun.run(app, site.home(), Map.of(), "run", job.toString()).expect(0, "1 copied");
        System.out.printf("  first run of the installation (builds its start-up archive): %.0f ms%n", firstInstalled.millis());
        Samples installed = new Samples(), sourceTree = new Samples(), installedCpu = new Samples(), sourceTreeCpu = new Samples();
        for (int rep = 0; rep < Math.max(7, reps); rep++) {
            site.newSource(seed++);
            CapsyncRun i = CapsyncRun.run(launcher, work, site.home(), Map.of(), "run", job.toString()).expect(0, "1 copied");
            site.newSource(seed++);
            CapsyncRun s = CapsyncRun.run(app, site.home(), Map.of(), "run", job.toString()).expect(0, "1 copied");
            installed.add(i.millis());
            sourceTree.add(s.millis());
            installedCpu.add(i.cpuMillis());
            sourceTreeCpu.add(s.cpuMillis());
        }
        System.out.printf("  installation (%s): %s, CPU %s%n  source tree (./capsync): %s, CPU %s%n", launcher, installed,
                installedCpu, sourceTree, sourceTreeCpu);
        // On a loaded machine the wall times scatter; CPU time (launcher and JVM, from GNU time) much less.
        boolean cpu = !Double.isNaN(installedCpu.median());
        Samples a = cpu ? installedCpu : installed, b = cpu ? sourceTreeCpu : sourceTree;
        row("7", "1 CAP through an installation, " + (cpu ? "CPU time" : "process start to exit") + " (median of " + a.size()
                + "; wall " + ms(installed.median()) + " vs " + ms(sourceTree.median()) + ")",
                ms(a.median()), ms(b.median()) + " (./capsync)", a.median() / b.median(), 1.05, "≤ 1.05× the source tree");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Figure 3: rerun with nothing changed: zero bytes written at the CAPs; per CAP next to read-and-hash. */
    private void rerunUnchanged() throws Exception {
        BenchSite site = new BenchSite(work.resolve("site")).withCaps(large);
        site.newSource(System.nanoTime());
        PlainLoop plain = new PlainLoop();
        List<Path> targetsSmall = site.targets(small);
        List<Path> targetsLarge = site.targets(large);
        capsync(site, small, 4).expect(0, "failed (execution");
        capsync(site, large, 4).expect(0, "failed (execution");
        Map<Path, String> before = stat(targetsLarge);
        for (int threads : new int[] {1, 4}) {
            heading("3", "rerun with nothing changed, threads " + threads);
            Samples plainS = new Samples(), plainL = new Samples(), capS = new Samples(), capL = new Samples();
            Phases phasesS = new Phases(), phasesL = new Phases();
            for (int rep = 0; rep < reps; rep++) {
                plainS.add(plain.readAndHash(targetsSmall) / 1e6);
                plainL.add(plain.readAndHash(targetsLarge) / 1e6);
                CapsyncRun runS = capsync(site, small, threads).expect(0, "0 copied, " + small + " unchanged");
                capS.add(runS.millis());
                phasesS.add(site.home(), runS.millis());
                CapsyncRun runL = capsync(site, large, threads).expect(0, "0 copied, " + large + " unchanged");
                capL.add(runL.millis());
                phasesL.add(site.home(), runL.millis());
            }
            double capPerCap = slope(small, capS, large, capL);
            double plainPerCap = slope(small, plainS, large, plainL);
            detail("capsync runs (ms)", small, capS, large, capL);
            detail("plain read-and-hash (ms)", small, plainS, large, plainL);
            System.out.printf("  where capsync's marginal time per CAP goes (steps as its job repository recorded them): "
                    + "plan %s, distribute %s, the rest of the process (start-up, close) %s%n",
                    ms(slope(small, phasesS.plan, large, phasesL.plan)),
                    ms(slope(small, phasesS.distribute, large, phasesL.distribute)),
                    ms(slope(small, phasesS.rest, large, phasesL.rest)));
            row("3", "unchanged per CAP, threads " + threads + " (marginal " + small + "→" + large + ")",
                    ms(capPerCap), ms(plainPerCap), capPerCap / plainPerCap, 3, "≤ 3×");
            if (threads == 1) {
                recordingFloor(plainPerCap);
            }
        }
        Map<Path, String> after = stat(targetsLarge);
        long touched = before.keySet().stream().filter(p -> !before.get(p).equals(after.get(p))).count();
        long strays = strayFiles(site, large);
        System.out.printf("  CAP files changed (inode, size, mtime or ctime) over %d reruns: %d of %d; other files at the CAPs: %d%n",
                4 * reps, touched, large, strays);
        table.add(new String[] {"3", "bytes written at the CAPs by the reruns", touched + " files changed, " + strays
                + " other files", "", "", touched == 0 && strays == 0 ? "zero: met" : "NOT met"});
    }

    /**
     * Figure 3's explanation: capsync's recording alone (its PairStore statements on its H2 repository, no files, no
     * Spring Batch) in a JVM with the launcher's flags, per CAP next to the read-and-hash floor.
     */
    private void recordingFloor(double plainPerCap) throws IOException, InterruptedException {
        Samples planS = new Samples(), planL = new Samples(), outS = new Samples(), outL = new Samples(),
                closeS = new Samples(), closeL = new Samples();
        for (int rep = 0; rep < reps; rep++) {
            Path home = Files.createTempDirectory(Files.createDirectories(work), "recording"); // a fresh repository each time
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    RecordingFloor.class.getName(), home.toString(), Integer.toString(small), Integer.toString(large)));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("recording floor failed:\n" + output);
            }
            for (String line : output.strip().split("\n")) {
                String[] f = line.strip().split(" ");
                if (f.length != 4 || !f[0].matches("\\d+")) {
                    continue; // a log line
                }
                boolean isSmall = Integer.parseInt(f[0]) == small;
                (isSmall ? planS : planL).add(Double.parseDouble(f[1]));
                (isSmall ? outS : outL).add(Double.parseDouble(f[2]));
                (isSmall ? closeS : closeL).add(Double.parseDouble(f[3]));
            }
        }
        double plan = slope(small, planS, large, planL);
        double outcomes = slope(small, outS, large, outL);
        double close = slope(small, closeS, large, closeL);
        double recording = plan + outcomes + close;
        System.out.printf("  recording alone (capsync's PairStore on its H2 file repository, no files, no Spring Batch, "
                + "launcher's JVM flags), per CAP: plan %s, outcomes and commits %s, close %s%n", ms(plan), ms(outcomes), ms(close));
        row("3", "recording alone per CAP (marginal " + small + "→" + large + "), next to read-and-hash", ms(recording),
                ms(plainPerCap), recording / plainPerCap, Double.NaN, "(the share of the gap the record is by itself)");
    }

    /** A run's steps as its job repository recorded them, and the rest of the process's time, in ms. */
    private static final class Phases {
        final Samples plan = new Samples(), distribute = new Samples(), rest = new Samples();

        void add(Path home, double processMillis) {
            String sql = "SELECT STEP_NAME, DATEDIFF('MILLISECOND', START_TIME, END_TIME) FROM BATCH_STEP_EXECUTION "
                    + "WHERE JOB_EXECUTION_ID = (SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION)";
            try (Connection c = Repository.connect(home);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    String step = rs.getString(1);
                    double millis = rs.getDouble(2);
                    if (step.equals("plan")) {
                        plan.add(millis);
                    } else if (step.equals("distribute")) {
                        distribute.add(millis);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the run's steps: " + e.getMessage(), e);
            }
            rest.add(processMillis - plan.last() - distribute.last());
        }
    }

    /**
     * Figure 4: latency-bound copies to Samba behind a delaying proxy, all CAPs on one server, as folders of one share
     * and as a share each (as real CAPs are); 16 threads with the default pool of connections and on one connection.
     */
    private void latencyBound() {
        heading("4", "200 CAPs on Samba behind a proxy adding 10 ms each way, threads 16 vs 1");
        String reason = LatencyBench.unavailable();
        if (reason != null) {
            System.out.println("  not run: " + reason);
            table.add(new String[] {"4", "200 CAPs over SMB, +10 ms each way, threads 1 / 16", "not run", "", "", reason});
            return;
        }
        for (LatencyBench.Layout layout : LatencyBench.Layout.values()) {
            String what = "200 CAPs over SMB (" + layout.label + "), +10 ms each way: threads 1 / 16";
            try {
                System.out.printf("  CAPs as %s:%n", layout.label);
                LatencyBench.Result r = new LatencyBench(work.resolve("smb"), app).run(200, 10, Math.max(1, reps - 2), 1, layout);
                double speedUp = r.oneThread() / r.sixteenThreads();
                double single = r.oneThread() / r.sixteenOnOneConnection();
                double copying = r.oneThreadCopying() / r.sixteenThreadsCopying();
                row("4", what + ", process start to exit", ms(r.oneThread()) + " / " + ms(r.sixteenThreads()), "",
                        speedUp, Double.NaN, speedUp >= 12 ? "16 threads ≥ 12× faster: met" : "16 threads ≥ 12× faster: NOT met");
                row("4", what + " on one connection, process start to exit", ms(r.oneThread()) + " / "
                        + ms(r.sixteenOnOneConnection()), "", single, Double.NaN, "(one connection per server)");
                row("4", what + ", distribute step only", ms(r.oneThreadCopying()) + " / " + ms(r.sixteenThreadsCopying()),
                        "", copying, Double.NaN, copying >= 12 ? "≥ 12×: met" : "≥ 12×: NOT met");
                row("4", "SMB requests per CAP (" + layout.label + "): copying / current",
                        String.format("%.2f / %.2f", r.requestsPerNewCap(), r.requestsPerCurrentCap()), "", Double.NaN,
                        Double.NaN, "(the run's logons and logoff included)");
                // A CAP's own count is a whole number at one thread; the run's logons and logoff add a few hundredths.
                boolean fewTurns = Math.round(r.turnsPerNewCap()) <= 5 && Math.round(r.turnsPerCurrentCap()) <= 2;
                row("4", "SMB round trips waited for per CAP, threads 1 (" + layout.label + "): copying / current",
                        String.format("%.2f / %.2f", r.turnsPerNewCap(), r.turnsPerCurrentCap()), "", Double.NaN,
                        Double.NaN, (fewTurns ? "≤ 5 / ≤ 2: met" : "≤ 5 / ≤ 2: NOT met")
                                + " (a CLOSE not awaited rides with the next request)");
            } catch (Exception | AssertionError e) {
                System.out.println("  failed: " + e);
                table.add(new String[] {"4", what, "failed", "", "", e.toString()});
            }
        }
    }

    /**
     * Figure 8: a job on workers, 200 CAPs behind the latency proxy of figure 4 in one region, 1 worker against 3 (each
     * with the same threads). Only when asked for ({@code run.sh 8}): it needs Samba, PostgreSQL and the Artemis
     * distribution the test build unpacks.
     */
    private void workers() {
        heading("7", "a job on workers: 200 CAPs on Samba behind a proxy adding 10 ms each way, 1 worker vs 3 (4 threads each)");
        String what = "200 CAPs over SMB, +10 ms each way, on workers: 1 worker / 3 workers, process start to exit";
        try {
            WorkersBench.Result r = new WorkersBench(work.resolve("workers"), app).run(200, 10, reps);
            double speedUp = r.oneWorker() / r.threeWorkers();
            row("7", what, ms(r.oneWorker()) + " / " + ms(r.threeWorkers()), "", speedUp, Double.NaN,
                    "3 workers faster than 1: " + (speedUp > 1 ? "met" : "NOT met"));
        } catch (Exception | AssertionError e) {
            System.out.println("  failed: " + e);
            table.add(new String[] {"7", what, "failed", "", "", e.toString()});
        }
    }

    /** Figure 5: 100,000 CAPs with -Xmx256m, peak RSS. */
    private void hundredThousand() throws Exception {
        heading("5", huge + " CAPs with -Xmx256m");
        BenchSite site = new BenchSite(work.resolve("site")).withCaps(huge);
        PlainLoop plain = new PlainLoop();
        List<Path> plainFolders = site.plainFolders(huge);
        long seed = System.nanoTime();
        site.newSource(seed++);
        Map<String, String> heap = Map.of("CAPSYNC_JAVA_OPTS", "-Xmx256m");
        CapsyncRun fill = capsync(site, huge, 4, heap).expect(0, "failed (execution");
        System.out.printf("  first run (fills the CAPs): %.0f ms, peak RSS %d MB, %s%n", fill.millis(), fill.peakRssKb() / 1024, fill.summary());
        plain.copy(site.source(), plainFolders);
        site.newSource(seed++);
        double plainMs = plain.copy(site.source(), plainFolders) / 1e6;
        CapsyncRun run = capsync(site, huge, 4, heap).expect(0, huge + " copied, 0 unchanged");
        System.out.printf("  measured run: %.0f ms, peak RSS %d MB, %s%n", run.millis(), run.peakRssKb() / 1024, run.summary());
        row("5", huge + " CAPs copied, -Xmx256m, threads 4: total (peak RSS " + run.peakRssKb() / 1024 + " MB)",
                ms(run.millis()), ms(plainMs), run.millis() / plainMs, Double.NaN, "completes: met");
    }

    /** Figure 6: a run's process time with 1,000 past executions of the job, next to one with almost none. */
    private void history() throws Exception {
        heading("6", "new run's start with 1,000 past executions vs with 1");
        int caps = PAST_CAPS;
        int past = pastExecutions();
        BenchSite site = pastSite();
        Path job = site.job(caps);
        Path fresh = site.root().resolve("home-fresh");
        Path full = homeWithPast(site, past);
        CapsyncRun.run(app, fresh, Map.of(), "run", job.toString()).expect(0, "failed (execution");
        Samples few = new Samples(), many = new Samples();
        for (int rep = 0; rep < Math.max(7, reps); rep++) {
            few.add(CapsyncRun.run(app, fresh, Map.of(), "run", job.toString()).expect(0, caps + " unchanged").millis());
            many.add(CapsyncRun.run(app, full, Map.of(), "run", job.toString()).expect(0, caps + " unchanged").millis());
        }
        System.out.printf("  with ~1 past execution: %s%n  with %d: %s%n", few, past, many);
        row("6", "run of " + caps + " CAPs with " + past + " past executions (median)", ms(many.median()),
                ms(few.median()) + " (history of 1)", many.median() / few.median(), 1.2, "≤ 1.2×");
    }

    /**
     * Figure 9: the commands people type, on a repository of 1,000 runs (figure 6's), each next to a bare JVM started
     * with the JVM options of src/main/dist/bin/capsync, alternated so that load hits both alike.
     */
    private void interactiveCommands() throws Exception {
        heading("9", "interactive commands on a repository of 1,000 runs vs a bare JVM with the launcher's options");
        int past = pastExecutions();
        BenchSite site = pastSite();
        Path full = homeWithPast(site, past);
        // A run first: it makes the start-up archive and leaves the repository as a nightly run does.
        CapsyncRun run = CapsyncRun.run(app, full, Map.of(), "run", site.job(PAST_CAPS).toString()).expect(0, "(execution");
        Matcher execution = Pattern.compile("\\(execution (\\d+),").matcher(run.summary());
        if (!execution.find()) {
            throw new IllegalStateException("no execution in '" + run.summary() + "'");
        }
        String job = "bench-" + PAST_CAPS;
        List<List<String>> commands = List.of(List.of("--version"), List.of("history", job),
                List.of("show", execution.group(1)), List.of("caps", job), List.of("verify", "--help"));
        for (List<String> command : commands) {
            Samples capsync = new Samples(), bare = new Samples();
            for (int rep = 0; rep < Math.max(7, reps); rep++) {
                capsync.add(CapsyncRun.run(app, full, Map.of(), command.toArray(String[]::new)).expect(0, "").millis());
                bare.add(bareJvm());
            }
            String line = String.join(" ", command);
            System.out.printf("  capsync %s: %s%n  bare JVM: %s%n", line, capsync, bare);
            row("9", "capsync " + line + ", " + past + " runs recorded, start to exit (median of " + capsync.size() + ")",
                    ms(capsync.median()), ms(bare.median()) + " (bare JVM)", capsync.median() / bare.median(), 3.0,
                    "≤ 3× a bare JVM");
        }
    }

    private static final int PAST_CAPS = 20;

    private int pastExecutions() {
        return (int) Math.max(10, 1000 * Double.parseDouble(env("BENCH_SCALE", "1")));
    }

    private BenchSite pastSite() throws IOException {
        BenchSite site = new BenchSite(work.resolve("history"));
        site.job(PAST_CAPS);
        site.newSource(1);
        return site;
    }

    /** The home of figures 6 and 9, {@code past} executions of the job recorded, filled once and kept. */
    private Path homeWithPast(BenchSite site, int past) throws IOException, InterruptedException {
        Path full = site.root().resolve("home-" + past);
        if (!Files.exists(full)) {
            long start = System.nanoTime();
            fillHistory(full, site.job(PAST_CAPS), past);
            System.out.printf("  %d executions recorded in %.0f s%n", past, (System.nanoTime() - start) / 1e9);
        }
        return full;
    }

    /** Milliseconds from start to exit of {@link BareJvm} with the options src/main/dist/bin/capsync gives the JVM. */
    private double bareJvm() throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xlog:disable", "-Xlog:all=warning:stderr", "-Djfr.unsupported.vm=true",
                "-XX:+UseSerialGC", "-cp", app.resolve("target/test-classes").toString(), BareJvm.class.getName())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the bare JVM failed");
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private void fillHistory(Path home, Path job, int runs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.capsync.cli.HistoryFill", home.toString(),
                job.toString(), Integer.toString(runs)));
        Path log = Files.createTempFile(work, "history", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("filling the history failed:\n" + Files.readString(log));
        }
        Files.delete(log);
    }

    private double plainProcess(BenchSite site) throws IOException, InterruptedException {
        Path folder = site.plainFolders(1).get(0);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), PlainLoop.class.getName(),
                site.source().toString(), folder.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("plain loop process failed");
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private CapsyncRun capsync(BenchSite site, int size, int threads) throws IOException, InterruptedException {
        return capsync(site, size, threads, Map.of());
    }

    private CapsyncRun capsync(BenchSite site, int size, int threads, Map<String, String> env)
            throws IOException, InterruptedException {
        return CapsyncRun.run(app, site.home(), env, "run", site.job(size).toString(), "--threads", Integer.toString(threads));
    }

    private static Map<Path, String> stat(List<Path> files) throws IOException {
        Map<Path, String> stats = new LinkedHashMap<>();
        for (Path f : files) {
            Map<String, Object> a = Files.readAttributes(f, "unix:ino,size,lastModifiedTime,ctime");
            stats.put(f, a.get("ino") + "/" + a.get("size") + "/" + a.get("lastModifiedTime") + "/" + a.get("ctime"));
        }
        return stats;
    }

    private static long strayFiles(BenchSite site, int size) throws IOException {
        long strays = 0;
        for (Path target : site.targets(size)) {
            try (var files = Files.list(target.getParent())) {
                strays += files.filter(f -> !f.equals(target)).count();
            }
        }
        return strays;
    }

    /** Milliseconds per CAP between two sizes: what one more CAP costs, start-up cancelled out. */
    private static double slope(int sizeSmall, Samples smallRuns, int sizeLarge, Samples largeRuns) {
        return (largeRuns.median() - smallRuns.median()) / (sizeLarge - sizeSmall);
    }

    private static void detail(String what, int sizeSmall, Samples s, int sizeLarge, Samples l) {
        System.out.printf("  %s: %d CAPs %s; %d CAPs %s%n", what, sizeSmall, s, sizeLarge, l);
    }

    private void heading(String figure, String what) {
        System.out.printf("%nfigure %s: %s (load %s)%n", figure, what, loadAverage());
    }

    private void row(String figure, String what, String capsync, String plain, double ratio, double limit, String target) {
        boolean met = Double.isNaN(limit) || ratio <= limit;
        String verdict = Double.isNaN(limit) ? target : target + (met ? ": met" : ": NOT met");
        System.out.printf("  => capsync %s | plain loop %s | ratio %.2f | %s%n", capsync, plain, ratio, verdict);
        table.add(new String[] {figure, what, capsync, plain, String.format("%.2f", ratio), verdict});
    }

    private void printTable() {
        System.out.printf("%n| # | figure | capsync | plain loop | ratio | target |%n|---|---|---|---|---|---|%n");
        for (String[] r : table) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }

    private static String ms(double millis) {
        return millis >= 10_000 ? String.format("%.1f s", millis / 1000)
                : millis >= 100 ? String.format("%.0f ms", millis)
                : String.format("%.3f ms", millis);
    }

    private static String loadAverage() {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Milliseconds of repeated runs; the median resists the other load on a shared machine. */
    static final class Samples {
        private final List<Double> values = new ArrayList<>();

        void add(double millis) {
            values.add(millis);
        }

        int size() {
            return values.size();
        }

        double last() {
            return values.get(values.size() - 1);
        }

        double median() {
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        @Override
        public String toString() {
            return "median " + ms(median()) + " of " + Arrays.toString(values.stream().mapToLong(Math::round).toArray());
        }
    }
}

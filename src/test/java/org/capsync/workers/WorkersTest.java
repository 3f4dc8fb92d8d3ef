package org.capsync.workers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.ArtemisBroker;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.Cli;
import org.capsync.support.PostgresServer;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A job's partitions on worker processes through a real Artemis broker, recording into a real PostgreSQL server: each
 * worker and the site server are separate {@code capsync} processes, killed for real.
 */
class WorkersTest {

    @RegisterExtension
    static PostgresServer postgres = new PostgresServer();

    static ArtemisBroker broker;
    static final AtomicInteger databases = new AtomicInteger();

    @TempDir
    Path dir;

    final List<CapsyncProcess> processes = new ArrayList<>();
    String db;

    @BeforeAll
    static void startBroker() {
        broker = ArtemisBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void stopProcesses() {
        processes.forEach(CapsyncProcess::close);
    }

    @Test
    void twoRegionsThreeWorkersTwoHundredCaps() throws Exception {
        TestSite site = site("north", 100, "south", 100);
        CapsyncProcess north1 = worker("north");
        CapsyncProcess north2 = worker("north");
        CapsyncProcess south = worker("south");

        CapsyncProcess run = manager(site);

        assertThat(run.waitFor(180)).as(run.output()).isEqualTo(0);
        assertThat(lastLine(run)).startsWith("client-lkp: 200 copied, 0 unchanged, 0 skipped, 0 failed");
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(site.sourceBytes());
        }
        assertThat(site.strayFilesAtCaps()).isEmpty();
        JdbcTemplate jdbc = jdbc();
        List<String> southWorkers = jdbc.queryForList("SELECT DISTINCT WORKER FROM CAPSYNC_PAIR WHERE REGION = 'south'", String.class);
        assertThat(southWorkers).as("south's CAPs only by the south worker").hasSize(1).allMatch(w -> w.endsWith(":" + south.pid()));
        List<String> northWorkers = jdbc.queryForList("SELECT DISTINCT WORKER FROM CAPSYNC_PAIR WHERE REGION = 'north'", String.class);
        assertThat(northWorkers).isNotEmpty().allMatch(w -> w.endsWith(":" + north1.pid()) || w.endsWith(":" + north2.pid()));

        Cli.Result show = Cli.run(site, env(), "show", executionId(run), "--json");
        assertThat(show.exitCode()).as(show.err()).isEqualTo(0);
        assertThat(show.out()).contains("\"worker\"").contains(":" + south.pid());
    }

    @Test
    void aRegionWithNoWorkerFailsTheRunNamingItAndTheNextRunResumesIt() throws Exception {
        TestSite site = site("north", 3, "east", 3);
        worker("north");

        CapsyncProcess run = manager(site);

        assertThat(run.waitFor(120)).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("region east: no worker took its partitions within 3s");
        assertThat(site.caps().stream().filter(c -> c.startsWith("east")).filter(c -> Files.exists(site.capFile(c)))).isEmpty();

        worker("east");
        CapsyncProcess again = manager(site);
        assertThat(again.waitFor(120)).as(again.output()).isEqualTo(0);
        assertThat(lastLine(again)).startsWith("client-lkp: 3 copied, 0 unchanged, 0 skipped, 0 failed");
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(site.sourceBytes());
        }
    }

    @Test
    void aWrongBrokerPasswordIsOneLineAndExit1WithNothingCopied() throws Exception {
        TestSite site = site("north", 2, "south", 0);
        Map<String, String> env = new HashMap<>(env());
        env.put("CAPSYNC_BROKER_PASSWORD", "not-the-password");

        CapsyncProcess run = track(CapsyncProcess.run(site, env, "run", site.jobFile().toString()));

        assertThat(run.waitFor(60)).as(run.output()).isEqualTo(1);
        assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
        assertThat(run.err()).contains("refused user 'capsync'").doesNotContain("not-the-password");
        assertThat(site.caps()).allMatch(c -> !Files.exists(site.capFile(c)));
    }

    @Test
    void aJobOnWorkersWithoutTheBrokerIsExit2() throws Exception {
        TestSite site = site("north", 2, "south", 0);
        Map<String, String> env = new HashMap<>(postgres.env(db));

        Cli.Result result = Cli.run(site, env, "run", site.jobFile().toString());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains("CAPSYNC_BROKER_URL");
        assertThat(site.caps()).allMatch(c -> !Files.exists(site.capFile(c)));
    }

    // --- a site whose CAPs are in regions, and the processes that serve it

    /** {@code a} CAPs in region {@code regionA}, {@code b} in {@code regionB}, on workers with a short worker-timeout. */
    TestSite site(String regionA, int a, String regionB, int b) {
        db = "capsync_" + databases.incrementAndGet();
        postgres.createDatabase(db);
        TestSite site = new TestSite(dir.resolve("site"));
        site.source("client.lkp", TestSite.bytes(16 * 1024, 1));
        StringBuilder csv = new StringBuilder("name,path,region\n");
        for (int i = 1; i <= a + b; i++) {
            String name = String.format("%s_%03d", i <= a ? regionA : regionB, i);
            site.addCap(name);
        }
        site.extraJobLines("workers: true\nworker-timeout: 3s\n");
        for (String cap : site.caps()) {
            csv.append(cap).append(',').append(site.capRoot(cap)).append(',').append(cap.substring(0, cap.indexOf('_'))).append('\n');
        }
        TestSite.write(site.capsFile(), csv.toString());
        return site;
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>(postgres.env(db));
        env.putAll(broker.env());
        return env;
    }

    CapsyncProcess manager(TestSite site) {
        return track(CapsyncProcess.run(site, env(), "run", site.jobFile().toString()));
    }

    /** A worker with its own CAPSYNC_HOME, once it serves its regions. */
    CapsyncProcess worker(String... regions) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("worker", "--threads", "2"));
        for (String region : regions) {
            args.add("--region");
            args.add(region);
        }
        Path home = dir.resolve("worker-" + processes.size());
        CapsyncProcess worker = track(CapsyncProcess.start(home, dir, env(), args.toArray(String[]::new)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!worker.out().contains("serving regions")) {
            assertThat(worker.isAlive()).as(worker.output()).isTrue();
            assertThat(System.nanoTime()).as("worker up: " + worker.output()).isLessThan(deadline);
            Thread.sleep(100);
        }
        return worker;
    }

    CapsyncProcess track(CapsyncProcess process) {
        processes.add(process);
        return process;
    }

    JdbcTemplate jdbc() {
        return new JdbcTemplate(new DriverManagerDataSource(postgres.jdbcUrl(db), PostgresServer.DB_USER, postgres.password()));
    }

    static String executionId(CapsyncProcess run) {
        var m = java.util.regex.Pattern.compile("\\(execution (\\d+),").matcher(lastLine(run));
        assertThat(m.find()).as(lastLine(run)).isTrue();
        return m.group(1);
    }

    static String lastLine(CapsyncProcess process) {
        List<String> lines = process.out().strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}

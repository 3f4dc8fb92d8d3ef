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

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
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

        assertThat(run.waitFor(120)).as(diagnostics(site, run)).isEqualTo(1);
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

    @Test
    void aWorkerKilledMidPartitionIsTakenOverByAnotherWorkerOfItsRegionAndNothingIsWrittenTwice() throws Exception {
        TestSite site = slowSite(12);
        CapsyncProcess first = worker("north");
        CapsyncProcess second = worker("north");
        try (CreationCounter creations = new CreationCounter(site);
             ClientSimulator client = ClientSimulator.hold(site.capFile(HELD), Duration.ofMinutes(2))) {
            CapsyncProcess run = manager(site);
            String holder = awaitRetryAfterFirstChunk(run);
            CapsyncProcess victim = holder.endsWith(":" + first.pid()) ? first : second;
            CapsyncProcess survivor = victim == first ? second : first;

            victim.kill();
            client.close();

            assertThat(run.waitFor(120)).as(run.output()).isEqualTo(0);
            assertThat(lastLine(run)).startsWith("client-lkp: 12 copied, 0 unchanged, 0 skipped, 0 failed");
            assertEveryCapCurrentAndWrittenOnce(site, creations);
            assertThat(jdbc().queryForObject("SELECT WORKER FROM CAPSYNC_PAIR WHERE CAP_NAME = ?", String.class, HELD))
                    .as("the held CAP copied by the worker that took the partition over").endsWith(":" + survivor.pid());
            assertThat(survivor.isAlive()).isTrue();
        }
    }

    @Test
    void aWorkerKilledWithNoOtherWorkerFailsTheRunAndTheNextRunCompletesIt() throws Exception {
        TestSite site = slowSite(6);
        CapsyncProcess only = worker("north");
        try (CreationCounter creations = new CreationCounter(site)) {
            CapsyncProcess run;
            try (ClientSimulator client = ClientSimulator.hold(site.capFile(HELD), Duration.ofSeconds(30))) {
                run = manager(site);
                awaitRetryAfterFirstChunk(run);
                only.kill();
                assertThat(run.waitFor(120)).as(run.output()).isEqualTo(1);
            }
            assertThat(run.output()).contains("its worker is gone and no other worker of region north is up");
            assertThat(site.strayFilesAtCaps()).isEmpty();

            worker("north");
            CapsyncProcess again = manager(site);
            assertThat(again.waitFor(120)).as(again.output()).isEqualTo(0);
            assertThat(lastLine(again)).startsWith("client-lkp: 1 copied, 0 unchanged, 0 skipped, 0 failed");
            assertEveryCapCurrentAndWrittenOnce(site, creations);
        }
    }

    @Test
    void aSiteServerKilledIsResumedByTheNextRunWithoutRunningAPartitionTwice() throws Exception {
        TestSite site = slowSite(6);
        worker("north");
        try (CreationCounter creations = new CreationCounter(site);
             ClientSimulator client = ClientSimulator.hold(site.capFile(HELD), Duration.ofMinutes(2))) {
            CapsyncProcess run = manager(site);
            awaitRetryAfterFirstChunk(run);
            run.kill();

            // The worker still copies the partition: the resumed run waits for it rather than failing it under it.
            CapsyncProcess again = manager(site);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!again.output().contains("still being copied by a worker")) {
                assertThat(again.isAlive()).as(again.output()).isTrue();
                assertThat(System.nanoTime()).as(again.output()).isLessThan(deadline);
                Thread.sleep(100);
            }
            client.close();
            assertThat(again.waitFor(120)).as(again.output()).isEqualTo(0);
            assertEveryCapCurrentAndWrittenOnce(site, creations);
            assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE 'distributeWorker:%' "
                    + "AND STATUS = 'COMPLETED'", Integer.class)).as("the partition ran once, to completion").isEqualTo(1);
        }
    }

    @Test
    void aSiteServerGivenSigtermStopsTheRunItsWorkersFinishTheirChunkAndTheNextRunCompletesIt() throws Exception {
        TestSite site = slowSite(6);
        CapsyncProcess worker = worker("north");
        try (CreationCounter creations = new CreationCounter(site);
             ClientSimulator client = ClientSimulator.hold(site.capFile(HELD), Duration.ofMinutes(2))) {
            CapsyncProcess run = manager(site);
            awaitRetryAfterFirstChunk(run);

            run.signal("TERM");

            assertThat(run.waitFor(60)).as(run.output()).isEqualTo(1);
            assertThat(lastLine(run)).as(run.output()).matches("client-lkp: .* \\(execution \\d+, STOPPED\\)");
            assertThat(worker.isAlive()).as("the worker serves the next run").isTrue();
            assertThat(site.strayFilesAtCaps()).as("no temp file left").isEmpty();
            client.close();
            CapsyncProcess again = manager(site);
            assertThat(again.waitFor(120)).as(again.output()).isEqualTo(0);
            assertEveryCapCurrentAndWrittenOnce(site, creations);
        }
    }

    /**
     * Artemis hands a request back at once and dead-letters it after 10 deliveries unless the broker is set up as
     * docs/workers.md says (as the test broker is): a request given back more than ten times is still there for the
     * region's worker, and the run completes.
     */
    @Test
    void aRequestGivenBackMoreThanTenTimesIsStillCopiedByAWorker() throws Exception {
        TestSite site = site("north", 2, "south", 0).threads(1).extraJobLines("workers: true\nworker-timeout: 90s\n");
        writeRegions(site);
        CapsyncProcess run = manager(site);
        int deliveries = 0;
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url(), broker.user(), broker.password());
             Connection connection = factory.createConnection()) {
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(session.createQueue("capsync.partitions.north"));
            connection.start();
            // A consumer that takes the request and dies before it is done, as a worker killed eleven times would.
            while (deliveries < 11) {
                Message request = consumer.receive(30_000);
                assertThat(request).as("delivery %d of the request\n%s", deliveries + 1, run.output()).isNotNull();
                deliveries = request.getIntProperty("JMSXDeliveryCount");
                session.rollback();
            }
        }
        assertThat(run.isAlive()).as(run.output()).isTrue();

        worker("north");

        assertThat(run.waitFor(120)).as(diagnostics(site, run)).isEqualTo(0);
        assertThat(lastLine(run)).startsWith("client-lkp: 2 copied, 0 unchanged, 0 skipped, 0 failed");
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(site.sourceBytes());
        }
    }

    /** On a terminal, the site server's progress bar counts the workers' outcomes as a local run's counts its own. */
    @Test
    void theSiteServersProgressBarShowsTheWorkersProgress() throws Exception {
        assertThat(new java.io.File("/usr/bin/script").canExecute()).as("util-linux 'script' (bsdutils)").isTrue();
        TestSite site = site("north", 3, "south", 0).retry("{ attempts: 3, delay: 500ms, multiplier: 1 }");
        writeRegions(site);
        Files.write(site.capFile(HELD), TestSite.bytes(10, 4));
        worker("north");
        Path typescript = dir.resolve("terminal.out");
        String line = String.join(" ", ClientSimulator.javaCommand().stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList())
                + " run job.yml";
        String screen;
        try (ClientSimulator client = ClientSimulator.hold(site.capFile(HELD), Duration.ofMinutes(1))) {
            ProcessBuilder builder = new ProcessBuilder("script", "-qfec", line, "/dev/null").directory(site.root().toFile())
                    .redirectInput(new java.io.File("/dev/null")).redirectOutput(typescript.toFile()).redirectErrorStream(true);
            builder.environment().putAll(env());
            builder.environment().put("CAPSYNC_HOME", dir.resolve("site-server").toString());
            builder.environment().put("COLUMNS", "100");
            builder.environment().put("TERM", "xterm");
            Process script = builder.start();
            assertThat(script.waitFor(2, TimeUnit.MINUTES)).as("capsync under script ended").isTrue();
            screen = Files.readString(typescript);
            assertThat(script.exitValue()).as(screen).isEqualTo(3);
        }
        String plain = screen.replaceAll("\u001b\\[[0-9;]*m", "");
        assertThat(plain).as(plain).contains("\r").containsPattern("client-lkp .* [0-3]/3 CAPs  \\d copied");
        assertThat(plain).as(plain).contains("3/3 CAPs  2 copied  1 skipped  0 failed  0 retrying");
    }

    @Test
    void aFileHeldAtARemoteCapIsRetriedThenSkippedAsInALocalRun() throws Exception {
        TestSite site = site("north", 3, "south", 0).retry("{ attempts: 3, delay: 200ms, multiplier: 2, max-delay: 1s }");
        writeRegions(site);
        Files.write(site.capFile("north_002"), TestSite.bytes(10, 4));
        worker("north");
        CapsyncProcess run;
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("north_002"), Duration.ofMinutes(1))) {
            run = manager(site);
            assertThat(run.waitFor(120)).as(run.output()).isEqualTo(3);
        }
        assertThat(lastLine(run)).startsWith("client-lkp: 2 copied, 0 unchanged, 1 skipped, 0 failed");
        assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM CAPSYNC_ATTEMPT a JOIN CAPSYNC_PAIR p ON p.PAIR_ID = a.PAIR_ID "
                + "WHERE p.CAP_NAME = 'north_002' AND a.RESULT = 'IN_USE'", Integer.class)).isEqualTo(3);
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    @Test
    void aWorkerGivenSigtermHandsItsPartitionBackAndExits0() throws Exception {
        TestSite site = slowSite(6);
        CapsyncProcess first = worker("north");
        CapsyncProcess second = worker("north");
        try (CreationCounter creations = new CreationCounter(site);
             ClientSimulator client = ClientSimulator.hold(site.capFile(HELD), Duration.ofMinutes(2))) {
            CapsyncProcess run = manager(site);
            String holder = awaitRetryAfterFirstChunk(run);
            CapsyncProcess stopped = holder.endsWith(":" + first.pid()) ? first : second;
            CapsyncProcess other = stopped == first ? second : first;

            stopped.signal("TERM");

            assertThat(stopped.waitFor(60)).as(stopped.output()).isEqualTo(0);
            client.close();
            assertThat(run.waitFor(120)).as(run.output()).isEqualTo(0);
            assertEveryCapCurrentAndWrittenOnce(site, creations);
            assertThat(jdbc().queryForObject("SELECT WORKER FROM CAPSYNC_PAIR WHERE CAP_NAME = ?", String.class, HELD))
                    .endsWith(":" + other.pid());
            assertThat(Files.readString(dir.resolve("worker-" + processes.indexOf(stopped)).resolve("logs/worker.log")))
                    .contains("handed back");
        }
    }

    @Test
    void aRequestForAPartitionAlreadyCompletedIsDroppedWithoutCopyingAgain() throws Exception {
        TestSite site = site("north", 3, "south", 0);
        CapsyncProcess worker = worker("north");
        CapsyncProcess run = manager(site);
        assertThat(run.waitFor(120)).as(run.output()).isEqualTo(0);
        JdbcTemplate jdbc = jdbc();
        long partition = jdbc.queryForObject("SELECT MIN(STEP_EXECUTION_ID) FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE 'distributeWorker:%'",
                Long.class);
        long execution = Long.parseLong(executionId(run));
        int attempts = jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_ATTEMPT", Integer.class);
        Map<String, Object> inodes = new HashMap<>();
        for (String cap : site.caps()) {
            inodes.put(cap, Files.getAttribute(site.capFile(cap), "unix:ino"));
        }

        // What the broker does after a worker died between finishing a partition and acknowledging its request.
        try (var factory = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(broker.url(), broker.user(), broker.password());
             var connection = factory.createConnection()) {
            var session = connection.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue("capsync.partitions.north"))
                    .send(session.createTextMessage(jdbc.queryForObject("SELECT ID FROM CAPSYNC_REPOSITORY", String.class)
                            + " client-lkp " + execution + " distributeWorker " + partition));
        }

        Path log = dir.resolve("worker-0/logs/worker.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains("COMPLETED in a COMPLETED execution, nothing to do; request dropped")) {
            assertThat(System.nanoTime()).as(Files.readString(log)).isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_ATTEMPT", Integer.class)).isEqualTo(attempts);
        for (String cap : site.caps()) {
            assertThat(Files.getAttribute(site.capFile(cap), "unix:ino")).as(cap).isEqualTo(inodes.get(cap));
        }
        assertThat(worker.isAlive()).isTrue();
    }

    @Test
    void aSnapshotWhoseBytesDoNotMatchTheirSha256FailsThePartitionBeforeAnyCapIsWritten() throws Exception {
        TestSite site = site("north", 3, "south", 0);
        // The first run stores the snapshot and fails for want of a worker.
        CapsyncProcess first = manager(site);
        assertThat(first.waitFor(120)).as(first.output()).isEqualTo(1);
        jdbc().update("UPDATE CAPSYNC_SNAPSHOT SET CONTENT = ?", (Object) TestSite.bytes(16 * 1024, 99));
        worker("north");

        CapsyncProcess run = manager(site);

        assertThat(run.waitFor(120)).as(run.output()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("worker-1/logs/worker.log"))).contains("snapshot file client.lkp from the repository has sha256");
        assertThat(site.caps()).allMatch(c -> !Files.exists(site.capFile(c)));
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    @Test
    void aJobOnWorkersThatASiteServerOnAnotherHostRunsIsExit4() throws Exception {
        TestSite site = site("north", 2, "south", 0);
        // Its first run creates the schema; then what a site server elsewhere holds while it runs the job.
        CapsyncProcess first = manager(site);
        assertThat(first.waitFor(120)).as(first.output()).isEqualTo(1);
        try (var connection = java.sql.DriverManager.getConnection(postgres.jdbcUrl(db), PostgresServer.DB_USER, postgres.password());
             var claim = connection.prepareStatement("SELECT pg_try_advisory_lock(hashtext('capsync.job:client-lkp'))")) {
            try (var rs = claim.executeQuery()) {
                assertThat(rs.next() && rs.getBoolean(1)).isTrue();
            }

            CapsyncProcess run = manager(site);

            assertThat(run.waitFor(120)).as(run.output()).isEqualTo(4);
            assertThat(run.err()).contains("another run of job 'client-lkp' is in progress (a site server on another host runs it)");
        }
    }

    static final String HELD = "north_002";

    /**
     * CAPs of region north in one partition, one of them held by a client that keeps its partition in the retry phase
     * after the first chunk: the moment to kill or stop the worker that has it.
     */
    TestSite slowSite(int caps) throws IOException {
        TestSite site = site("north", caps, "south", 0).threads(1)
                .retry("{ attempts: 60, delay: 500ms, multiplier: 1, max-delay: 500ms }");
        writeRegions(site);
        Files.write(site.capFile(HELD), TestSite.bytes(10, 4));
        return site;
    }

    /** Waits for the held CAP's first attempt to be committed; returns the worker that made it. */
    String awaitRetryAfterFirstChunk(CapsyncProcess run) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertThat(run.isAlive()).as(run.output()).isTrue();
            assertThat(System.nanoTime()).as("the held CAP tried: " + run.output()).isLessThan(deadline);
            try {
                List<String> worker = jdbc().queryForList("SELECT WORKER FROM CAPSYNC_PAIR WHERE CAP_NAME = ? AND STATUS = 'RETRY'",
                        String.class, HELD);
                if (!worker.isEmpty()) {
                    return worker.get(0);
                }
            } catch (org.springframework.dao.DataAccessException notCreatedYet) {
                // the schema is being created
            }
            Thread.sleep(100);
        }
    }

    void assertEveryCapCurrentAndWrittenOnce(TestSite site, CreationCounter creations) throws InterruptedException {
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(site.sourceBytes());
        }
        assertThat(site.strayFilesAtCaps()).as("no temp file left").isEmpty();
        Map<String, Integer> counted = creations.counts();
        for (String cap : site.caps()) {
            assertThat(counted.getOrDefault(cap, 0)).as("client.lkp created at %s", cap).isEqualTo(1);
        }
        assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM (SELECT a.PAIR_ID FROM CAPSYNC_ATTEMPT a WHERE a.RESULT = 'COPIED' "
                + "GROUP BY a.PAIR_ID HAVING COUNT(*) > 1) twice", Integer.class)).as("pairs copied twice").isZero();
    }

    /** Counts the times client.lkp appears at each CAP (created, or renamed over the old one), through inotify. */
    static final class CreationCounter implements AutoCloseable {
        private final WatchService watcher;
        private final Map<WatchKey, String> caps = new HashMap<>();
        private final Map<String, Integer> counts = new ConcurrentHashMap<>();
        private final Thread thread;

        CreationCounter(TestSite site) throws IOException {
            watcher = FileSystems.getDefault().newWatchService();
            for (String cap : site.caps()) {
                caps.put(site.capFile(cap).getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE), cap);
            }
            thread = new Thread(this::count, "creation-counter");
            thread.setDaemon(true);
            thread.start();
        }

        private void count() {
            try {
                while (true) {
                    WatchKey key = watcher.take();
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                            counts.put("OVERFLOW", 1);
                        } else if (event.context().toString().equals("client.lkp")) {
                            counts.merge(caps.get(key), 1, Integer::sum);
                        }
                    }
                    key.reset();
                }
            } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
                // closed
            }
        }

        Map<String, Integer> counts() throws InterruptedException {
            Thread.sleep(500); // the last events
            assertThat(counts).doesNotContainKey("OVERFLOW");
            return Map.copyOf(counts);
        }

        @Override
        public void close() throws IOException {
            watcher.close();
        }
    }

    // --- a site whose CAPs are in regions, and the processes that serve it

    /** {@code a} CAPs in region {@code regionA}, {@code b} in {@code regionB}, on workers with a short worker-timeout. */
    TestSite site(String regionA, int a, String regionB, int b) {
        db = "capsync_" + databases.incrementAndGet();
        postgres.createDatabase(db);
        TestSite site = new TestSite(dir.resolve("site"));
        site.source("client.lkp", TestSite.bytes(16 * 1024, 1));
        for (int i = 1; i <= a + b; i++) {
            String name = String.format("%s_%03d", i <= a ? regionA : regionB, i);
            site.addCap(name);
        }
        site.extraJobLines("workers: true\nworker-timeout: 3s\n");
        return writeRegions(site);
    }

    /** The CAP list again with a region column (TestSite writes it without one whenever the job changes). */
    static TestSite writeRegions(TestSite site) {
        StringBuilder csv = new StringBuilder("name,path,region\n");
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

    /** What a failed assertion shows: the process's output, then the job's log and every worker's. */
    String diagnostics(TestSite site, CapsyncProcess run) {
        StringBuilder s = new StringBuilder(run.output());
        try (var logs = Files.find(dir, 6, (p, a) -> p.toString().endsWith(".log") && p.getParent().endsWith("logs"))) {
            for (Path log : logs.toList()) {
                s.append("\n--- ").append(log).append('\n').append(Files.readString(log));
            }
        } catch (IOException e) {
            s.append("\n(logs: ").append(e).append(')');
        }
        return s.toString();
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

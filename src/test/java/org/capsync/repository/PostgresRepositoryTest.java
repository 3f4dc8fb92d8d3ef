package org.capsync.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.capsync.demo.ClientSimulator;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.Cli;
import org.capsync.support.HistoryJson;
import org.capsync.support.PostgresServer;
import org.capsync.support.PromFile;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * capsync recording to a shared PostgreSQL repository ({@code CAPSYNC_DB_URL}) on a real server: the schema comes from
 * Flyway, a run, a restart after {@code kill -9}, and two site servers recording into one database at once.
 */
class PostgresRepositoryTest {

    @RegisterExtension
    static PostgresServer postgres = new PostgresServer();

    private static final AtomicInteger databases = new AtomicInteger();

    @TempDir
    Path dir;

    @Test
    void aRunRecordsEveryPairInTheSharedRepositoryAndNothingInH2() {
        String db = newDatabase();
        TestSite site = TestSite.withCaps(dir, 5);

        Cli.Result first = Cli.run(site, postgres.env(db), "run", site.jobFile().toString());
        Cli.Result second = Cli.run(site, postgres.env(db), "run", site.jobFile().toString());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.lastLine()).matches("client-lkp: 5 copied, 0 unchanged, 0 skipped, 0 failed \\(execution \\d+, COMPLETED\\)");
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.lastLine()).startsWith("client-lkp: 0 copied, 5 unchanged, 0 skipped, 0 failed");
        JdbcTemplate jdbc = jdbc(db);
        assertThat(jdbc.queryForList("SELECT STATUS FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID", String.class))
                .containsExactly("COMPLETED", "COMPLETED");
        assertThat(statusCounts(jdbc, "client-lkp")).containsEntry("COPIED", 5).containsEntry("UNCHANGED", 5).hasSize(2);
        assertThat(jdbc.queryForList("SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" ORDER BY \"installed_rank\"",
                String.class)).contains("1", "2", "4");
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).isEqualTo(site.sourceBytes());
        }
        assertThat(site.home().resolve("repository/capsync.mv.db")).doesNotExist();
    }

    @Test
    void aRunKilledDuringItsRetriesIsRestartedAndResumesWithoutRecopying() throws Exception {
        String db = newDatabase();
        TestSite site = TestSite.withCaps(dir, 4).retry("{ attempts: 60, delay: 500ms, multiplier: 1, max-delay: 500ms }");
        Files.write(site.capFile("CAP_002"), TestSite.bytes(100, 3));
        JdbcTemplate jdbc = jdbc(db);

        long killedExecution;
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(2))) {
            CapsyncProcess child = CapsyncProcess.run(site, postgres.env(db), "run", site.jobFile().toString());
            awaitRetrying(jdbc, child, "CAP_002");
            child.kill();
            killedExecution = jdbc.queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);
            assertThat(jdbc.queryForObject("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?", String.class,
                    killedExecution)).as("left behind by the killed process").isEqualTo("STARTED");
        }

        Cli.Result restart = Cli.run(site, postgres.env(db), "run", site.jobFile().toString());

        assertThat(restart.exitCode()).as(restart.out() + restart.err()).isZero();
        assertThat(restart.lastLine()).as("only the pair left unfinished is copied again")
                .matches("client-lkp: 1 copied, 0 unchanged, 0 skipped, 0 failed \\(execution \\d+, COMPLETED\\)");
        List<Map<String, Object>> executions = jdbc.queryForList(
                "SELECT JOB_EXECUTION_ID, JOB_INSTANCE_ID, STATUS FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID");
        assertThat(executions).hasSize(2);
        assertThat(executions.get(0).get("STATUS")).isEqualTo("FAILED");
        assertThat(executions.get(1).get("STATUS")).isEqualTo("COMPLETED");
        assertThat(executions.get(1).get("JOB_INSTANCE_ID")).as("a restart, not a new run").isEqualTo(executions.get(0).get("JOB_INSTANCE_ID"));
        long restartExecution = ((Number) executions.get(1).get("JOB_EXECUTION_ID")).longValue();
        Map<String, Long> copiedBy = new TreeMap<>();
        jdbc.query("SELECT CAP_NAME, JOB_EXECUTION_ID FROM CAPSYNC_PAIR WHERE STATUS = 'COPIED'",
                (java.sql.ResultSet rs) -> {
                    copiedBy.put(rs.getString(1), rs.getLong(2));
                });
        assertThat(copiedBy).containsOnly(Map.entry("CAP_001", killedExecution), Map.entry("CAP_002", restartExecution),
                Map.entry("CAP_003", killedExecution), Map.entry("CAP_004", killedExecution));
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).isEqualTo(site.sourceBytes());
        }
        assertThat(site.strayFilesAtCaps()).isEmpty();
        Cli.Result history = Cli.run(site, postgres.env(db), "history", "--json");
        assertThat(history.exitCode()).as(history.err()).isZero();
        JsonNode rows = HistoryJson.parse(history.out());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).path("executionId").asLong()).isEqualTo(restartExecution);
        assertThat(rows.get(0).path("status").asText()).isEqualTo("COMPLETED");
        assertThat(rows.get(0).path("restartOf").asLong()).isEqualTo(killedExecution);
        assertThat(rows.get(0).path("copied").asInt()).isEqualTo(1);
        assertThat(rows.get(1).path("status").asText()).isEqualTo("FAILED");
        assertThat(rows.get(1).path("copied").asInt()).as("what the killed run finished itself").isEqualTo(3);
    }

    @Test
    void historyShowCapsAndPurgeAnswerOnPostgresExactlyAsOnH2() throws Exception {
        String db = newDatabase();
        // Same-length folder names: every path in the output has the same length on both sides.
        TestSite h2 = TestSite.withCaps(dir.resolve("h2"), 3).retry("{ attempts: 2, delay: 100ms, multiplier: 1 }");
        TestSite pg = TestSite.withCaps(dir.resolve("pg"), 3).retry("{ attempts: 2, delay: 100ms, multiplier: 1 }");
        Map<TestSite, Map<String, String>> envs = Map.of(h2, Map.of(), pg, postgres.env(db));
        for (TestSite site : List.of(h2, pg)) {
            Map<String, String> env = envs.get(site);
            Files.write(site.capFile("CAP_002"), TestSite.bytes(100, 2));
            Files.delete(site.capFile("CAP_003").getParent());
            // Run 1: CAP_002 held by a client (skipped), CAP_003 without its folder (failed). Run 2, a new source:
            // CAP_002 copied, CAP_003 still failing. Run 3: nothing new, CAP_003 stale since run 1.
            try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(1))) {
                assertThat(Cli.run(site, env, "run", "job.yml").exitCode()).isEqualTo(3);
            }
            site.source("client.lkp", TestSite.bytes(20_000, 5));
            assertThat(Cli.run(site, env, "run", "job.yml").exitCode()).isEqualTo(3);
            assertThat(Cli.run(site, env, "run", "job.yml").exitCode()).isEqualTo(3);
        }

        List<List<String>> commands = new java.util.ArrayList<>(List.of(List.of("history"), List.of("history", "client-lkp", "--limit", "2"),
                List.of("caps", "client-lkp"), List.of("caps", "client-lkp", "--stale")));
        for (String id : List.of("1", "2", "3")) {
            commands.add(List.of("show", id));
            commands.add(List.of("show", id, "--attempts"));
        }
        // purge writes: runs 1 and 2 go (never the latest), on both sides alike; then the history left is compared.
        commands.addAll(List.of(List.of("purge", "--older-than", "0s"), List.of("history"), List.of("caps", "client-lkp")));
        for (List<String> command : commands) {
            List<String> args = new java.util.ArrayList<>(command);
            args.add("--json");
            Cli.Result onH2 = Cli.run(h2, envs.get(h2), args.toArray(String[]::new));
            Cli.Result onPostgres = Cli.run(pg, envs.get(pg), args.toArray(String[]::new));
            assertThat(onH2.exitCode()).as("%s on H2: %s", command, onH2.err()).isZero();
            assertThat(onPostgres.exitCode()).as("%s on PostgreSQL: %s", command, onPostgres.err()).isZero();
            JsonNode expected = comparable(HistoryJson.parse(onH2.out()), h2.root().toString());
            JsonNode actual = comparable(HistoryJson.parse(onPostgres.out()), pg.root().toString());
            assertThat(expected.size()).as("%s says something", command).isPositive();
            assertThat(actual).as("%s", command).isEqualTo(expected);
        }
        assertThat(jdbc(db).queryForObject("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION", Integer.class)).as("purged").isEqualTo(1);
        assertThat(h2.home().resolve("repository/capsync.mv.db")).exists();
        assertThat(pg.home().resolve("repository/capsync.mv.db")).doesNotExist();
    }

    /** The output without what differs by nature between two sites: times, durations and the site's own folder. */
    private static JsonNode comparable(JsonNode node, String siteRoot) {
        if (node.isArray()) {
            var array = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> array.add(comparable(element, siteRoot)));
            return array;
        }
        if (node.isObject()) {
            var object = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(field -> {
                if (!field.getKey().toLowerCase(java.util.Locale.ROOT).contains("duration")
                        && !field.getKey().endsWith("Ms")) {
                    object.set(field.getKey(), comparable(field.getValue(), siteRoot));
                }
            });
            return object;
        }
        if (node.isTextual()) {
            try {
                java.time.OffsetDateTime.parse(node.asText());
                return JsonNodeFactory.instance.textNode("<time>");
            } catch (java.time.format.DateTimeParseException notATime) {
                return JsonNodeFactory.instance.textNode(node.asText().replace(siteRoot, "<site>"));
            }
        }
        return node;
    }

    @Test
    void twoSiteServersRecordIntoOneDatabaseAtTheSameTime() throws Exception {
        String db = newDatabase();
        TestSite north = TestSite.withCaps(dir.resolve("north"), 40).jobName("client-lkp-north").threads(4);
        TestSite south = TestSite.withCaps(dir.resolve("south"), 30).jobName("client-lkp-south").threads(4);
        south.source("client.lkp", TestSite.bytes(20_000, 99));

        for (String expected : List.of("copied", "unchanged")) {
            // Both start on an empty database the first time: Flyway's migration and the job repository race too.
            CapsyncProcess a = CapsyncProcess.run(north, postgres.env(db), "run", north.jobFile().toString());
            CapsyncProcess b = CapsyncProcess.run(south, postgres.env(db), "run", south.jobFile().toString());
            Cli.Result ra = new Cli.Result(a.waitFor(Duration.ofMinutes(2)), a.out(), a.err());
            Cli.Result rb = new Cli.Result(b.waitFor(Duration.ofMinutes(2)), b.out(), b.err());

            assertThat(ra.exitCode()).as(ra.out() + ra.err()).isZero();
            assertThat(rb.exitCode()).as(rb.out() + rb.err()).isZero();
            assertThat(ra.lastLine()).startsWith("client-lkp-north: " + (expected.equals("copied") ? "40 copied, 0 unchanged" : "0 copied, 40 unchanged"));
            assertThat(rb.lastLine()).startsWith("client-lkp-south: " + (expected.equals("copied") ? "30 copied, 0 unchanged" : "0 copied, 30 unchanged"));
        }

        JdbcTemplate jdbc = jdbc(db);
        assertThat(jdbc.queryForList("SELECT JOB_NAME FROM BATCH_JOB_INSTANCE ORDER BY JOB_NAME", String.class))
                .containsExactly("client-lkp-north", "client-lkp-north", "client-lkp-south", "client-lkp-south");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS <> 'COMPLETED'", Integer.class)).isZero();
        assertThat(statusCounts(jdbc, "client-lkp-north")).containsExactlyInAnyOrderEntriesOf(Map.of("COPIED", 40, "UNCHANGED", 40));
        assertThat(statusCounts(jdbc, "client-lkp-south")).containsExactlyInAnyOrderEntriesOf(Map.of("COPIED", 30, "UNCHANGED", 30));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_PAIR p JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = p.JOB_INSTANCE_ID "
                + "WHERE i.JOB_NAME <> p.JOB_NAME", Integer.class)).as("every pair recorded under its own job").isZero();
        for (String cap : south.caps()) {
            assertThat(south.capBytes(cap)).isEqualTo(south.sourceBytes());
        }
        for (String cap : north.caps()) {
            assertThat(north.capBytes(cap)).isEqualTo(north.sourceBytes());
        }
    }

    /**
     * Twenty site servers' first runs on one empty database, released at the same moment: each process waits at the
     * repository gate (held here like a history query would) until all twenty are started, so their schema
     * migrations and job creations overlap. At Spring Batch's default SERIALIZABLE isolation some of them failed with
     * SQLSTATE 40001 ("could not serialize access").
     */
    @Test
    void twentySiteServersFirstRunsStartingAtTheSameMomentAllSucceed() throws Exception {
        String db = newDatabase();
        int count = 20;
        List<TestSite> sites = new java.util.ArrayList<>();
        List<RepositoryGate> gates = new java.util.ArrayList<>();
        List<CapsyncProcess> runs = new java.util.ArrayList<>();
        try {
            for (int i = 1; i <= count; i++) {
                TestSite site = TestSite.withCaps(dir.resolve("site" + i), 2).jobName(String.format("client-lkp-%02d", i)).threads(1);
                sites.add(site);
                gates.add(RepositoryGate.forReading(site.capsyncHome().ensureExists(), Duration.ZERO));
            }
            assertThat(gates).allMatch(RepositoryGate::held);
            // Twenty JVMs on a small machine: one GC thread each.
            Map<String, String> env = new java.util.HashMap<>(postgres.env(db));
            env.put("JAVA_TOOL_OPTIONS", "-XX:+UseSerialGC");
            for (TestSite site : sites) {
                runs.add(CapsyncProcess.run(site, env, "run", site.jobFile().toString()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!runs.stream().allMatch(r -> r.output().contains("waiting for a history query"))) {
                assertThat(System.nanoTime()).as("every run waiting at the gate; %d are; one that is not says: %s",
                        runs.stream().filter(r -> r.output().contains("waiting for a history query")).count(),
                        runs.stream().filter(r -> !r.output().contains("waiting for a history query")).findFirst()
                                .map(CapsyncProcess::output).orElse("")).isLessThan(deadline);
                assertThat(runs).as("no run ended before the start").allMatch(CapsyncProcess::isAlive);
                Thread.sleep(100);
            }
            gates.forEach(RepositoryGate::close);

            List<String> failures = new java.util.ArrayList<>();
            // Generous: twenty JVMs share the machine's cores; a run that hangs still fails the test with its log.
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            for (int i = 0; i < count; i++) {
                CapsyncProcess run = runs.get(i);
                int exit;
                try {
                    exit = run.waitFor(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
                } catch (AssertionError hung) {
                    failures.add(sites.get(i).jobName() + " did not end: " + hung.getMessage() + "\n" + jobLogTail(sites.get(i)));
                    continue;
                }
                String last = new Cli.Result(exit, run.out(), run.err()).lastLine();
                if (exit != 0 || !last.startsWith(sites.get(i).jobName() + ": 2 copied, 0 unchanged, 0 skipped, 0 failed")) {
                    failures.add(sites.get(i).jobName() + " exit " + exit + ": " + last + "\n" + run.err());
                }
            }
            assertThat(failures).as("%d of %d failed", failures.size(), count).isEmpty();
        } finally {
            gates.forEach(RepositoryGate::close);
            runs.forEach(CapsyncProcess::close);
        }

        JdbcTemplate jdbc = jdbc(db);
        assertThat(jdbc.queryForObject("SELECT COUNT(DISTINCT JOB_NAME) FROM BATCH_JOB_INSTANCE", Integer.class)).isEqualTo(count);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'", Integer.class)).isEqualTo(count);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE STATUS = 'COPIED'", Integer.class)).isEqualTo(2 * count);
        for (TestSite site : sites) {
            for (String cap : site.caps()) {
                assertThat(site.capBytes(cap)).isEqualTo(site.sourceBytes());
            }
        }
    }

    @Test
    void theMetricsOfARunWithASkippedCapAreReadFromTheSharedRepository() throws Exception {
        String db = newDatabase();
        TestSite site = TestSite.withCaps(dir.resolve("site"), 3).retry("{ attempts: 1 }");
        Path metrics = Files.createDirectories(dir.resolve("metrics"));
        Files.write(site.capFile("CAP_002"), TestSite.bytes(10, 4));
        Map<String, String> env = new java.util.HashMap<>(postgres.env(db));
        env.put("CAPSYNC_METRICS_DIR", metrics.toString());

        Cli.Result result;
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(1))) {
            result = Cli.run(site, env, "run", site.jobFile().toString());
        }

        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(3);
        Map<String, Double> m = PromFile.samples(metrics.resolve("capsync_client-lkp.prom"));
        assertThat(m).containsEntry("capsync_stale_caps{job=\"client-lkp\"}", 1.0)
                .containsEntry("capsync_caps{job=\"client-lkp\",status=\"SKIPPED\"}", 1.0)
                .containsEntry("capsync_caps{job=\"client-lkp\",status=\"COPIED\"}", 2.0);
        java.sql.Timestamp started = jdbc(db).queryForObject("SELECT START_TIME FROM BATCH_JOB_EXECUTION", java.sql.Timestamp.class);
        assertThat(m.get("capsync_stale_oldest_since_timestamp_seconds{job=\"client-lkp\"}"))
                .isCloseTo(started.toInstant().toEpochMilli() / 1000.0, org.assertj.core.api.Assertions.within(0.0011));
    }

    @Test
    void aSecondSiteServerRunningAJobOfTheSameNameIsRefusedBeforeItCopiesOrRecordsAnything() throws Exception {
        String db = newDatabase();
        TestSite north = TestSite.withCaps(dir.resolve("north"), 2);
        TestSite south = TestSite.withCaps(dir.resolve("south"), 2);
        Map<String, String> northEnv = new java.util.HashMap<>(postgres.env(db));
        northEnv.put("CAPSYNC_SITE", "SITESRV-NORTH");
        Map<String, String> southEnv = new java.util.HashMap<>(postgres.env(db));
        southEnv.put("CAPSYNC_SITE", "SITESRV-SOUTH");

        Cli.Result first = Cli.run(north, northEnv, "run", north.jobFile().toString());
        Cli.Result refused = Cli.run(south, southEnv, "run", south.jobFile().toString());
        Cli.Result again = Cli.run(north, northEnv, "run", north.jobFile().toString());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("job 'client-lkp' belongs to site server 'SITESRV-NORTH'")
                .contains("client-lkp-sitesrv-south").contains("CAPSYNC_SITE=SITESRV-NORTH");
        assertThat(south.capFile("CAP_001")).doesNotExist();
        assertThat(again.exitCode()).as("the owner goes on as before").isZero();
        assertThat(jdbc(db).queryForObject("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION", Integer.class)).isEqualTo(2);
    }

    @Test
    void aWrongPasswordIsExitOneAndThePasswordIsNeverPrinted() {
        String db = newDatabase();
        TestSite site = TestSite.withCaps(dir, 2);
        Map<String, String> env = Map.of("CAPSYNC_DB_URL", postgres.jdbcUrl(db), "CAPSYNC_DB_USER", PostgresServer.DB_USER,
                "CAPSYNC_DB_PASSWORD", "not-the-Secret-4711");

        Cli.Result result = Cli.run(site, env, "run", site.jobFile().toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("cannot connect to the job repository").contains("password authentication failed");
        assertThat(result.out() + result.err()).doesNotContain("not-the-Secret-4711").doesNotContain(postgres.password());
        assertThat(site.strayFilesAtCaps()).isEmpty();
        assertThat(site.capFile("CAP_001")).doesNotExist();
    }

    private static String jobLogTail(TestSite site) {
        try {
            List<String> lines = Files.readAllLines(site.home().resolve("logs").resolve(site.jobName() + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (java.io.IOException e) {
            return "(no job log: " + e + ")";
        }
    }

    private static String newDatabase() {
        String name = "capsync_" + databases.incrementAndGet();
        postgres.createDatabase(name);
        return name;
    }

    private static JdbcTemplate jdbc(String db) {
        return new JdbcTemplate(new DriverManagerDataSource(postgres.jdbcUrl(db), PostgresServer.DB_USER, postgres.password()));
    }

    private static Map<String, Integer> statusCounts(JdbcTemplate jdbc, String job) {
        Map<String, Integer> counts = new TreeMap<>();
        jdbc.query("SELECT STATUS, COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_NAME = ? GROUP BY STATUS",
                (java.sql.ResultSet rs) -> {
                    counts.put(rs.getString(1), rs.getInt(2));
                }, job);
        return counts;
    }

    /** Until the child has recorded an in-use attempt for {@code cap} and finished every other CAP. */
    private static void awaitRetrying(JdbcTemplate jdbc, CapsyncProcess child, String cap) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && child.isAlive()) {
            try {
                Integer waiting = jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE CAP_NAME = ? AND STATUS = 'RETRY' AND ATTEMPTS >= 2",
                        Integer.class, cap);
                Integer others = jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE CAP_NAME <> ? AND STATUS = 'COPIED'",
                        Integer.class, cap);
                if (waiting != null && waiting == 1 && others != null && others == 3) {
                    return;
                }
            } catch (DataAccessException notYet) {
                // the child has not created the schema yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the child never got to retrying " + cap + " (alive: " + child.isAlive() + ")");
    }
}

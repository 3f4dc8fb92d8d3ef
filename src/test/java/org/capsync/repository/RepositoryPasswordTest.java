package org.capsync.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.capsync.demo.ClientSimulator;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.Cli;
import org.capsync.support.HistoryJson;
import org.capsync.support.TestSite;
import org.h2.api.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded repository's {@code SA} user has a random per-home password, kept owner-only in
 * {@code CAPSYNC_HOME/repository/password}: a process without it cannot use the repository, not even through a run's
 * auto-server; a repository of an earlier capsync (H2's empty password) gets it on its first open, also when several
 * processes open it at once; a password file that cannot be used stops capsync with exit 1 and the file's name.
 */
class RepositoryPasswordTest {

    @TempDir
    Path dir;

    @Test
    void aNewHomeGetsARandomPasswordThatOnlyItsOwnerCanRead() throws Exception {
        TestSite site = TestSite.withCaps(dir.resolve("a"), 2);
        Cli.Result run = Cli.run(site, "run", "job.yml");
        assertThat(run.exitCode()).as(run.err()).isZero();

        Path file = passwordFile(site);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String password = Files.readString(file).strip();
        assertThat(password).matches("[A-Za-z0-9_-]{43}"); // 256 random bits
        assertThat(site.capsyncHome().repositoryLocation().password()).isEqualTo(password);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temp file left").noneMatch(n -> n.endsWith(".tmp"));
        }

        assertRefusesTheEmptyPassword(site);
        try (Connection c = DriverManager.getConnection(site.capsyncHome().jdbcUrl(), "sa", password)) {
            assertThat(c.isValid(5)).isTrue();
        }

        TestSite other = TestSite.withCaps(dir.resolve("b"), 1);
        assertThat(Cli.run(other, "run", "job.yml").exitCode()).isZero();
        assertThat(Files.readString(passwordFile(other)).strip()).isNotEqualTo(password);

        // Nowhere in what capsync prints or logs.
        Cli.Result history = Cli.run(site, "history", "--json");
        Cli.Result help = Cli.run(site, "--help");
        assertThat(List.of(run.out(), run.err(), history.out(), history.err(), help.out(), help.err(), logs(site)))
                .noneMatch(text -> text.contains(password));
    }

    @Test
    void anotherProcessWithoutThePasswordCannotUseARunsAutoServerWhileTheHomesHistoryCommandsCan() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2).retry("{ attempts: 60, delay: 500ms, multiplier: 1 }");
        Files.write(site.capFile("CAP_001"), TestSite.bytes(100, 9));
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_001"), Duration.ofMinutes(2));
             CapsyncProcess run = CapsyncProcess.start(site, "run", "job.yml")) {
            long id = HistoryJson.awaitRetrying(site, "CAP_001", run); // in-process history and show, through the run

            // Even knowing the server's key from the lock file (which H2's TCP server requires as the database name),
            // the empty password is refused; the home's password is what lets a connection in.
            Properties lock = new Properties();
            try (Reader in = Files.newBufferedReader(site.home().resolve("repository/capsync.lock.db"))) {
                lock.load(in);
            }
            String server = "jdbc:h2:tcp://" + lock.getProperty("server") + "/" + lock.getProperty("id");
            assertThatThrownBy(() -> DriverManager.getConnection(server, "sa", "").close())
                    .isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getErrorCode()).isEqualTo(ErrorCode.WRONG_USER_OR_PASSWORD));
            String password = site.capsyncHome().repositoryLocation().password();
            try (Connection c = DriverManager.getConnection(server, "sa", password)) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertRefusesTheEmptyPassword(site);

            // The home's own commands, in another process, go on answering.
            CapsyncProcess reader = CapsyncProcess.start(site, "show", Long.toString(id), "--json");
            assertThat(reader.waitFor(60)).as(reader.output()).isZero();
            assertThat(HistoryJson.parse(reader.out()).toString()).contains("CAP_001");

            assertThat(run.isAlive()).as(run.output()).isTrue();
            client.close();
            assertThat(run.waitFor(120)).as(run.output()).isZero();
            assertThat(run.output()).doesNotContain(password);
        }
    }

    @Test
    void aHistoryQueryIsTheFirstToOpenARepositoryOfAnEarlierCapsyncAndSetsItsPassword() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        makeItAsAnEarlierCapsyncLeftIt(site);

        // The history commands open a repository no run holds read-only; the password is set through a writable one.
        List<JsonNode> history = HistoryJson.rows(site, "history");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).path("status").asText()).isEqualTo("COMPLETED");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile(site)))).isEqualTo("rw-------");
        assertRefusesTheEmptyPassword(site);
        assertAcceptsTheStoredPassword(site);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        assertThat(HistoryJson.rows(site, "history")).hasSize(2);
    }

    @Test
    void aRunIsTheFirstToOpenARepositoryOfAnEarlierCapsyncAndSetsItsPassword() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        makeItAsAnEarlierCapsyncLeftIt(site);
        site.source("client.lkp", TestSite.bytes(3000, 5));

        Cli.Result run = Cli.run(site, "run", "job.yml");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lastLine()).startsWith("client-lkp: 2 copied");
        assertRefusesTheEmptyPassword(site);
        assertAcceptsTheStoredPassword(site);
    }

    /**
     * Another process has created the password file but not yet set it on the repository (it was between the two
     * steps, or died there): the next process sets the file's password, and keeps the file.
     */
    @Test
    void aPasswordFileNotYetSetOnTheRepositoryIsSetByTheNextProcess() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        makeItAsAnEarlierCapsyncLeftIt(site);
        Path file = passwordFile(site);
        Files.writeString(file, "Kq3v9zX2pL7mN4bR8tY1wE6uI0oA5sD3fG2hJ9kL1cV\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThat(HistoryJson.rows(site, "history")).hasSize(1);

        assertThat(Files.readString(file)).isEqualTo("Kq3v9zX2pL7mN4bR8tY1wE6uI0oA5sD3fG2hJ9kL1cV\n");
        assertRefusesTheEmptyPassword(site);
        try (Connection c = DriverManager.getConnection(site.capsyncHome().jdbcUrl(), "sa", "Kq3v9zX2pL7mN4bR8tY1wE6uI0oA5sD3fG2hJ9kL1cV")) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    /**
     * Several openers of a repository of an earlier capsync at the same moment: every one gets in, one password results.
     * Threads of one JVM setting it with no gate between them, and processes, which the repository gate lines up.
     */
    @Test
    void openersRacingToSetThePasswordAllGetIn() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        RepositoryLocation.EmbeddedH2 location = (RepositoryLocation.EmbeddedH2) site.capsyncHome().repositoryLocation();

        for (int round = 0; round < 3; round++) {
            makeItAsAnEarlierCapsyncLeftIt(site);
            int openers = 4;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService threads = Executors.newFixedThreadPool(openers);
            try {
                List<Future<Connection>> opened = new ArrayList<>();
                for (int i = 0; i < openers; i++) {
                    opened.add(threads.submit(() -> {
                        start.await();
                        // As capsync connects, but without the gate that keeps other processes out meanwhile.
                        return location.connect(location.jdbcUrl());
                    }));
                }
                start.countDown();
                List<Connection> connections = new ArrayList<>();
                for (Future<Connection> connection : opened) {
                    connections.add(connection.get());
                }
                for (Connection c : connections) {
                    assertThat(c.isValid(5)).isTrue();
                    c.close();
                }
            } finally {
                threads.shutdownNow();
            }
            assertRefusesTheEmptyPassword(site);
            assertAcceptsTheStoredPassword(site);
        }

        // And as separate processes: a run and two history queries started together.
        makeItAsAnEarlierCapsyncLeftIt(site);
        site.source("client.lkp", TestSite.bytes(3000, 7));
        List<CapsyncProcess> processes = List.of(CapsyncProcess.start(site, "run", "job.yml"),
                CapsyncProcess.start(site, "history", "--json"), CapsyncProcess.start(site, "caps", "client-lkp", "--json"));
        try {
            for (CapsyncProcess process : processes) {
                assertThat(process.waitFor(120)).as(process.output()).isZero();
            }
        } finally {
            processes.forEach(CapsyncProcess::close);
        }
        assertRefusesTheEmptyPassword(site);
        assertAcceptsTheStoredPassword(site);
        assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
    }

    @Test
    void aPasswordFileOthersCanReadIsRefusedWithExit1NamingIt() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        String password = site.capsyncHome().repositoryLocation().password();
        Files.setPosixFilePermissions(passwordFile(site), PosixFilePermissions.fromString("rw-r-----"));
        site.source("client.lkp", TestSite.bytes(3000, 5));

        for (String[] command : new String[][] {{"run", "job.yml"}, {"history"}, {"purge", "--older-than", "1d"}}) {
            Cli.Result result = Cli.run(site, command);
            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            assertThat(result.err()).contains(passwordFile(site).toString()).contains("rw-r-----").contains("chmod 600")
                    .doesNotContain(password);
        }
        assertThat(site.capBytes("CAP_001")).as("nothing copied").isNotEqualTo(site.sourceBytes());
    }

    @Test
    void aMissingPasswordFileBesideARepositoryThatHasOneIsExit1AndNotReplaced() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        String password = site.capsyncHome().repositoryLocation().password();
        Files.delete(passwordFile(site));
        site.source("client.lkp", TestSite.bytes(3000, 5));

        for (String[] command : new String[][] {{"run", "job.yml"}, {"history"}}) {
            Cli.Result result = Cli.run(site, command);
            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            assertThat(result.err()).contains(passwordFile(site) + " is missing").contains("restore the file from the backup");
            assertThat(passwordFile(site)).as("a new password would lock the repository for good").doesNotExist();
        }
        assertThat(site.capBytes("CAP_001")).as("nothing copied").isNotEqualTo(site.sourceBytes());

        Files.writeString(passwordFile(site), password);
        Files.setPosixFilePermissions(passwordFile(site), PosixFilePermissions.fromString("rw-------"));
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).as("restored").isZero();
    }

    @Test
    void aPasswordFileOfAnotherRepositoryAnEmptyOneOrAFolderIsExit1NamingIt() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        Path file = passwordFile(site);
        String password = Files.readString(file);

        Files.writeString(file, "Zz9x8c7v6b5n4m3l2k1j0hgfdsaQWERTYUIOPASDFGH\n");
        Cli.Result other = Cli.run(site, "run", "job.yml");
        assertThat(other.exitCode()).isEqualTo(1);
        assertThat(other.err()).contains("refuses the password in " + file);

        Files.writeString(file, "\n");
        Cli.Result empty = Cli.run(site, "history");
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.err()).contains(file + " is empty");

        Files.delete(file);
        Files.createDirectory(file);
        Cli.Result folder = Cli.run(site, "run", "job.yml");
        assertThat(folder.exitCode()).isEqualTo(1);
        assertThat(folder.err()).contains(file + " is not a regular file");

        assertThat(List.of(other.err(), empty.err(), folder.err())).noneMatch(text -> text.contains(password.strip()));
    }

    /** H2's default user with the empty password, as a repository created before capsync had passwords. */
    private static void makeItAsAnEarlierCapsyncLeftIt(TestSite site) throws Exception {
        try (Connection c = DriverManager.getConnection(site.capsyncHome().jdbcUrl(), "sa",
                site.capsyncHome().repositoryLocation().password());
             var alter = c.createStatement()) {
            alter.execute("ALTER USER SA SET PASSWORD ''");
        }
        Files.delete(passwordFile(site));
        try (Connection c = DriverManager.getConnection(site.capsyncHome().jdbcUrl(), "sa", "")) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    private static void assertRefusesTheEmptyPassword(TestSite site) {
        assertThatThrownBy(() -> DriverManager.getConnection(site.capsyncHome().jdbcUrl(), "sa", "").close())
                .isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getErrorCode()).isEqualTo(ErrorCode.WRONG_USER_OR_PASSWORD));
    }

    private static void assertAcceptsTheStoredPassword(TestSite site) throws SQLException {
        try (Connection c = DriverManager.getConnection(site.capsyncHome().jdbcUrl(), "sa",
                Files.exists(passwordFile(site)) ? site.capsyncHome().repositoryLocation().password() : "?")) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    private static Path passwordFile(TestSite site) {
        return site.home().resolve("repository/password");
    }

    private static String logs(TestSite site) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(site.home().resolve("logs"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(file));
            }
        }
        try (Stream<Path> files = Files.list(site.home().resolve("repository"))) {
            for (Path file : files.filter(p -> p.getFileName().toString().endsWith(".trace.db")).toList()) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }
}

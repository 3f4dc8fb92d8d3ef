package org.capsync.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server for one test class: {@code initdb} and {@code pg_ctl} on a data folder in a temp directory,
 * listening on a free loopback port only, password authentication (scram-sha-256), stopped and deleted after the class.
 * PostgreSQL refuses to run as root, so under root the server runs as the system user {@value #OS_USER} (created when
 * missing). Without the server binaries the tests are skipped, except under {@code CI=true} where they fail.
 *
 * <pre>{@code @RegisterExtension static PostgresServer postgres = new PostgresServer();}</pre>
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {

    public static final String OS_USER = "capsync-test";
    public static final String DB_USER = "capsync";

    private Path bin;
    private Path dir;
    private int port;
    private String password;
    private boolean asOtherUser;
    private Thread stopOnExit;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        bin = findBinaries();
        if (bin == null) {
            TestServices.unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; install the postgresql package");
        }
        asOtherUser = "root".equals(System.getProperty("user.name"));
        if (asOtherUser) {
            ensureOsUser();
        }
        dir = Files.createTempDirectory("capsync-pg-");
        password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        Path passwordFile = dir.resolve("pwfile");
        Files.writeString(passwordFile, password + "\n");
        if (asOtherUser) {
            giveToOsUser(dir);
            giveToOsUser(passwordFile);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "-U", DB_USER, "--auth=scram-sha-256",
                "--pwfile=" + passwordFile, "--encoding=UTF8", "--locale=C"), 120);
        Files.delete(passwordFile);
        port = TestServices.freePort();
        // No Unix socket (its default folder belongs to the system's server); fsync off: the tests' data is disposable.
        Files.writeString(data().resolve("postgresql.conf"), "\n# capsync test server\nport = " + port
                + "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\nmax_connections = 200\n",
                StandardOpenOption.APPEND);
        stopOnExit = new Thread(this::stop, "stop-test-postgres");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "60", "start"), 90);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (stopOnExit != null) {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        }
        stop();
    }

    /** A new, empty database on this server; capsync creates its schema there on first use. */
    public String createDatabase(String name) {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE \"" + name + "\"");
            return jdbcUrl(name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), DB_USER, password);
    }

    /** The environment that points capsync at {@code database} on this server. */
    public Map<String, String> env(String database) {
        return Map.of("CAPSYNC_DB_URL", jdbcUrl(database), "CAPSYNC_DB_USER", DB_USER, "CAPSYNC_DB_PASSWORD", password);
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    private Path data() {
        return dir.resolve("data");
    }

    private synchronized void stop() {
        if (dir == null) {
            return;
        }
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop"), 60);
            }
        } catch (Exception e) {
            System.err.println("PostgresServer: stop failed: " + e.getMessage());
        } finally {
            TestServices.deleteTree(dir);
            dir = null;
        }
    }

    private static Path findBinaries() {
        List<Path> candidates = new ArrayList<>();
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            versions.map(v -> v.resolve("bin")).sorted(Comparator.reverseOrder()).forEach(candidates::add);
        } catch (IOException e) {
            // no Debian-style installation; look on the PATH
        }
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                candidates.add(Path.of(entry));
            }
        }
        return candidates.stream()
                .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                .findFirst().orElse(null);
    }

    private static void ensureOsUser() throws IOException, InterruptedException {
        if (exec(List.of("id", "-u", OS_USER)) == 0) {
            return;
        }
        int code = exec(List.of("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                "--shell", "/usr/sbin/nologin", OS_USER));
        // Another test JVM may have created it at the same moment.
        if (code != 0 && exec(List.of("id", "-u", OS_USER)) != 0) {
            TestServices.unavailable("PostgreSQL refuses to run as root and the user " + OS_USER + " cannot be created (useradd exit " + code + ")");
        }
    }

    private static void giveToOsUser(Path path) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(OS_USER);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(OS_USER);
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
    }

    private void run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asOtherUser) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        Path output = Files.createTempFile("capsync-pg-cmd-", ".log");
        try {
            Process process = new ProcessBuilder(full).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + "s");
            }
            if (process.exitValue() != 0) {
                String log = Files.readString(output, StandardCharsets.UTF_8);
                Path serverLog = dir.resolve("server.log");
                if (Files.isReadable(serverLog)) {
                    log += "\nserver.log:\n" + Files.readString(serverLog, StandardCharsets.UTF_8);
                }
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + log);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static int exec(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor();
    }
}

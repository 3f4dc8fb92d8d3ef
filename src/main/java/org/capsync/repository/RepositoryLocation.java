package org.capsync.repository;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.capsync.definition.FileSystemReason;

/**
 * Where the job repository lives: the embedded H2 file under {@code CAPSYNC_HOME}, or, when {@code CAPSYNC_DB_URL} is
 * set, a PostgreSQL server that several site servers share. Either way Flyway creates and migrates the schema
 * ({@code db/migration/h2} or {@code db/migration/postgresql}). {@link #describe()} is what messages may show: never the
 * password.
 */
public sealed interface RepositoryLocation {

    String DB_URL = "CAPSYNC_DB_URL";
    String DB_USER = "CAPSYNC_DB_USER";
    String DB_PASSWORD = "CAPSYNC_DB_PASSWORD";
    String DB_CREDENTIALS = "CAPSYNC_DB_CREDENTIALS";

    String jdbcUrl();

    String user();

    String password();

    /** The repository as messages name it, without the password. */
    String describe();

    /** True for a server other site servers may record to as well. */
    boolean shared();

    /**
     * The shared server from {@code CAPSYNC_DB_URL} with its user and password ({@code CAPSYNC_DB_USER} /
     * {@code CAPSYNC_DB_PASSWORD}, which take precedence over the owner-only properties file named by
     * {@code CAPSYNC_DB_CREDENTIALS}), or else the embedded H2 file in {@code embeddedFolder}.
     *
     * @throws InvalidSetting when those variables cannot be used as set (exit code 2)
     */
    static RepositoryLocation fromEnvironment(Map<String, String> env, Path embeddedFolder) {
        String url = blankToNull(env.get(DB_URL));
        if (url == null) {
            if (embeddedFolder.toString().contains(";")) {
                // H2 reads everything after a ';' in its URL as settings: the repository would be another file.
                throw new InvalidSetting("CAPSYNC_HOME " + embeddedFolder.getParent() + " contains ';', which the embedded"
                        + " repository's JDBC URL cannot hold: choose a folder without it");
            }
            if (embeddedFolder.toString().contains("\\") && !embeddedFolder.getFileSystem().getSeparator().equals("\\")) {
                // H2 reads every '\' in a file name as a folder separator: the repository would be written outside the
                // home (and outside its owner-only folder), and the history commands would not find it.
                throw new InvalidSetting("CAPSYNC_HOME " + embeddedFolder.getParent() + " contains '\\', which the embedded"
                        + " repository would read as a folder separator: choose a folder without it");
            }
            return new EmbeddedH2(embeddedFolder);
        }
        if (!url.startsWith("jdbc:postgresql:") || org.postgresql.Driver.parseURL(url, null) == null) {
            // parseURL: what the driver would refuse at the first connection (a port out of range, a malformed host).
            throw new InvalidSetting(DB_URL + " must be a PostgreSQL JDBC URL such as jdbc:postgresql://dbhost:5432/capsync, not '"
                    + SharedServer.masked(url) + "'");
        }
        String user = null;
        String password = null;
        String credentials = blankToNull(env.get(DB_CREDENTIALS));
        if (credentials != null) {
            Properties file = readCredentials(Path.of(credentials));
            user = blankToNull(file.getProperty("user"));
            password = file.getProperty("password");
        }
        if (blankToNull(env.get(DB_USER)) != null) {
            user = env.get(DB_USER).strip();
        }
        if (env.get(DB_PASSWORD) != null) {
            password = env.get(DB_PASSWORD);
        }
        if (user == null) {
            throw new InvalidSetting(DB_URL + " is set but no database user is: set " + DB_USER + " and " + DB_PASSWORD
                    + ", or " + DB_CREDENTIALS + " to a properties file with user= and password=");
        }
        return new SharedServer(url, user, password == null ? "" : password);
    }

    private static Properties readCredentials(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidSetting(DB_CREDENTIALS + ": " + file + " is not a file");
        }
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
                if (mode.stream().anyMatch(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE)::contains)) {
                    throw new InvalidSetting(DB_CREDENTIALS + ": " + file + " holds a password but is readable by others (mode "
                            + PosixFilePermissions.toString(mode) + "); chmod 600 it");
                }
            }
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            for (String key : properties.stringPropertyNames()) {
                if (!key.equals("user") && !key.equals("password")) {
                    throw new InvalidSetting(DB_CREDENTIALS + ": " + file + ": unknown key '" + key + "' (expected user and password)");
                }
            }
            return properties;
        } catch (IOException e) {
            throw new InvalidSetting(DB_CREDENTIALS + ": cannot read " + file + ": " + FileSystemReason.of(e, file));
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The embedded H2 file database: one site server, no server to run. */
    record EmbeddedH2(Path folder) implements RepositoryLocation {

        /**
         * {@code AUTO_SERVER} lets a second capsync process (a history query, another job) use the repository while a
         * run holds it; its server socket is bound to the loopback address by
         * {@link RepositoryDatabase#confineToLoopback()}, so no other host can connect. {@code WRITE_DELAY=0} hands
         * every commit to the OS at once: H2's default of 500 ms would let a kill -9 lose outcomes already committed,
         * and a restart would then redo work it believes unfinished. Without H2's background writer the file is
         * compacted only when it is closed, and at H2's default fill rate (90 %) nearly every close rewrote chunks in
         * proportion to the whole file, a cost that grew with the history; at 50 % it compacts when half the file is
         * garbage, which keeps it within about twice its live data (docs/performance.md).
         */
        @Override
        public String jdbcUrl() {
            return "jdbc:h2:file:" + folder.resolve("capsync").toString().replace('\\', '/')
                    + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;WRITE_DELAY=0;AUTO_COMPACT_FILL_RATE=50";
        }

        @Override
        public String user() {
            return "sa";
        }

        /**
         * The password of this home's repository, from {@code repository/password} (owner-only); generated and stored
         * there first when the repository does not exist yet.
         *
         * @throws RepositoryPassword.Unusable when the file is missing beside a repository, open to other users or empty
         */
        @Override
        public String password() {
            return RepositoryPassword.read(folder);
        }

        /** The file that holds {@link #password()}: it goes wherever {@code capsync.mv.db} goes. */
        public Path passwordFile() {
            return folder.resolve(RepositoryPassword.FILE);
        }

        /**
         * A connection to this repository at {@code url} ({@link #jdbcUrl()} or a variant of it) with the stored
         * password, created first for a new repository. A repository an earlier capsync created with H2's empty
         * password gets the stored one first: best with the {@link RepositoryGate} held exclusively (it also holds
         * without, see {@link RepositoryPassword#set}).
         */
        public Connection connect(String url) throws SQLException {
            return RepositoryPassword.connect(this, url);
        }

        /** Sets the password of a repository an earlier capsync left on H2's empty one; nothing otherwise. */
        void upgradeEarlierCapsyncs() throws SQLException {
            if (RepositoryPassword.earlierCapsyncs(this)) {
                connect(jdbcUrl()).close();
            }
        }

        /** Whether a process has the repository open as its auto-server owner (H2 keeps a lock file while it does). */
        boolean heldOpen() {
            return Files.exists(folder.resolve("capsync.lock.db"));
        }

        /** Whether the repository exists yet. */
        boolean exists() {
            return Files.isRegularFile(folder.resolve("capsync.mv.db"));
        }

        @Override
        public String describe() {
            return "the embedded repository in " + folder;
        }

        @Override
        public boolean shared() {
            return false;
        }
    }

    /** A PostgreSQL server shared by several site servers. */
    record SharedServer(String jdbcUrl, String user, String password) implements RepositoryLocation {

        @Override
        public String describe() {
            return "the shared repository " + masked(jdbcUrl) + " (user " + user + ")";
        }

        @Override
        public boolean shared() {
            return true;
        }

        /** A record prints its components; this one must never print the password. */
        @Override
        public String toString() {
            return "SharedServer[" + masked(jdbcUrl) + ", user=" + user + "]";
        }

        /** The URL with the value of a {@code password} parameter, if someone put one there, replaced. */
        static String masked(String url) {
            return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
        }
    }

    /** {@code CAPSYNC_DB_*} variables that cannot be used as set: exit code 2, nothing copied. */
    final class InvalidSetting extends RuntimeException {
        public InvalidSetting(String message) {
            super(message);
        }
    }
}

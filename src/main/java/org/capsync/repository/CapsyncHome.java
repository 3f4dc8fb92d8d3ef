package org.capsync.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.capsync.definition.FileSystemReason;

/**
 * {@code CAPSYNC_HOME} (default {@code ~/.capsync}): logs, run locks, the runs' snapshots and, unless
 * {@code CAPSYNC_DB_URL} names a shared server, the H2 job repository. Created readable by its owner only: it holds the
 * history of every CAP and, through the snapshots, the files.
 *
 * @param repositoryLocation where this home's runs are recorded (see {@link RepositoryLocation})
 */
public record CapsyncHome(Path root, RepositoryLocation repositoryLocation) {

    /** A home that records to its own embedded H2 repository. */
    public CapsyncHome(Path root) {
        this(root, new RepositoryLocation.EmbeddedH2(root.resolve("repository")));
    }

    /** {@code CAPSYNC_HOME} and the repository chosen by the {@code CAPSYNC_DB_*} variables. */
    public static CapsyncHome fromEnvironment(Map<String, String> env) {
        Path root = rootFromEnvironment(env);
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new RepositoryLocation.InvalidSetting("CAPSYNC_HOME " + root + " is a file, not a folder");
        }
        return new CapsyncHome(root, RepositoryLocation.fromEnvironment(env, root.resolve("repository")));
    }

    /** The {@code CAPSYNC_HOME} folder alone, without choosing a repository (which fails on bad CAPSYNC_DB_* settings). */
    public static Path rootFromEnvironment(Map<String, String> env) {
        String value = env.get("CAPSYNC_HOME");
        return (value != null && !value.isBlank()
                ? Path.of(value)
                : Path.of(System.getProperty("user.home"), ".capsync")).toAbsolutePath().normalize();
    }

    public CapsyncHome ensureExists() {
        try {
            for (Path dir : new Path[] {root, repository(), logs(), locks(), snapshots()}) {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    ownerOnly(dir);
                }
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create CAPSYNC_HOME " + root + ": " + FileSystemReason.of(e, root), e);
        }
    }

    public Path repository() {
        return root.resolve("repository");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path locks() {
        return root.resolve("locks");
    }

    public Path snapshots() {
        return root.resolve("snapshots");
    }

    /** The JDBC URL of the job repository (embedded H2 or the shared server). */
    public String jdbcUrl() {
        return repositoryLocation.jdbcUrl();
    }

    private static void ownerOnly(Path dir) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }
}

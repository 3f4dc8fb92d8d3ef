package org.capsync.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

import org.h2.api.ErrorCode;

/**
 * The password of the embedded repository's {@code SA} user, kept in {@code CAPSYNC_HOME/repository/password}
 * (mode 0600), beside the database it opens. Without it any local process that reaches the run's loopback
 * {@code AUTO_SERVER} could log in with H2's default empty password. Generated when the repository is first created;
 * a repository of an earlier capsync (empty password) gets it set the first time it is opened.
 */
public final class RepositoryPassword {

    static final String FILE = "password";
    private static final String DATABASE_FILE = "capsync.mv.db";
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
    /**
     * Rounds of "stored password, else set it on the empty one": two suffice when another process upgrades the same
     * repository at the same moment (its ALTER lands between our two logins); the rest is margin.
     */
    private static final int ROUNDS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();

    private RepositoryPassword() {
    }

    /**
     * The password in {@code folder}'s file; for a repository that does not exist yet, generated and stored first.
     *
     * @throws Unusable when the file is missing beside an existing database, not a file, readable by others or empty
     */
    static String read(Path folder) {
        Path file = folder.resolve(FILE);
        if (!Files.exists(file) && !Files.exists(folder.resolve(DATABASE_FILE))) {
            return create(file);
        }
        if (!Files.exists(file)) {
            throw new Unusable("the job repository's password file " + file + " is missing, but the repository "
                    + folder.resolve(DATABASE_FILE) + " exists: restore the file from the backup of CAPSYNC_HOME that"
                    + " holds the repository");
        }
        return load(file);
    }

    /**
     * The first connection of this process to the embedded repository at {@code url} (its own JDBC URL, or a variant
     * of it such as a read-only one). A repository that still has H2's empty password gets the stored one set, through
     * a writable connection. Several processes may do that at once: each sets the same password (the file is created
     * once, without replacing), and one whose login falls between another's two steps just tries again.
     */
    static Connection connect(RepositoryLocation.EmbeddedH2 location, String url) throws SQLException {
        Path file = location.folder().resolve(FILE);
        for (int round = 0; round < ROUNDS; round++) {
            boolean stored = Files.exists(file) || !Files.exists(location.folder().resolve(DATABASE_FILE));
            if (stored) {
                try {
                    return DriverManager.getConnection(url, location.user(), read(location.folder()));
                } catch (SQLException e) {
                    if (e.getErrorCode() != ErrorCode.WRONG_USER_OR_PASSWORD) {
                        throw e;
                    }
                }
            }
            try (Connection earlier = DriverManager.getConnection(location.jdbcUrl() + ";IFEXISTS=TRUE", location.user(), "");
                 PreparedStatement alter = earlier.prepareStatement("ALTER USER " + location.user() + " SET PASSWORD ?")) {
                // Created only now for a repository of an earlier capsync: a lost file must not be replaced by a new one.
                alter.setString(1, stored ? load(file) : create(file));
                alter.execute();
            } catch (SQLException e) {
                if (e.getErrorCode() != ErrorCode.WRONG_USER_OR_PASSWORD) {
                    throw e;
                }
                if (!Files.exists(file)) {
                    // Refuses the empty password, and no process has created the file meanwhile: it was lost.
                    read(location.folder());
                }
            }
        }
        throw new Unusable("the job repository " + location.folder().resolve(DATABASE_FILE) + " refuses the password in "
                + file + ": that file belongs to another repository; restore it from the backup of CAPSYNC_HOME that"
                + " holds the repository");
    }

    private static String load(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new Unusable("the job repository's password file " + file + " is not a regular file");
            }
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
                if (mode.stream().anyMatch(OTHERS::contains)) {
                    throw new Unusable("the job repository's password file " + file + " is open to other users (mode "
                            + PosixFilePermissions.toString(mode) + "): chmod 600 " + file);
                }
            }
            String password = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (password.isEmpty()) {
                throw new Unusable("the job repository's password file " + file + " is empty: restore it from the backup"
                        + " of CAPSYNC_HOME that holds the repository");
            }
            return password;
        } catch (IOException e) {
            throw new Unusable("cannot read the job repository's password file " + file + ": " + reason(e), e);
        }
    }

    /**
     * A new random password in {@code file}, or the one another process stored there first. The file appears whole
     * and owner-only: written to a temp file created 0600, then linked to its name, which fails rather than replace.
     */
    private static String create(Path file) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path temp = null;
        try {
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            FileAttribute<?>[] ownerOnly = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0];
            temp = Files.createTempFile(file.getParent(), "." + FILE + "-", ".tmp", ownerOnly);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                out.write(StandardCharsets.UTF_8.encode(password + System.lineSeparator()));
                out.force(true);
            }
            try {
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException e) {
                return load(file);
            } catch (UnsupportedOperationException | IOException noHardLinks) {
                // A file system without hard links: a move that refuses to replace (not atomic with a racing creator).
                try {
                    Files.move(temp, file);
                } catch (FileAlreadyExistsException e) {
                    return load(file);
                }
            }
            return password;
        } catch (NoSuchFileException e) {
            throw new Unusable("cannot create the job repository's password file " + file + ": no folder " + file.getParent(), e);
        } catch (IOException e) {
            throw new Unusable("cannot create the job repository's password file " + file + ": " + reason(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a stray owner-only temp file in the repository folder; the next creator uses its own name
                }
            }
        }
    }

    private static String reason(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    /** The password file cannot be used: exit code 1, like any repository that cannot be opened. Never holds the password. */
    public static final class Unusable extends IllegalStateException {
        Unusable(String message) {
            super(message);
        }

        Unusable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

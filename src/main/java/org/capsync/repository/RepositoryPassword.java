package org.capsync.repository;

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
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Properties;
import java.util.Set;

import org.h2.api.ErrorCode;

/**
 * The password of the embedded repository's {@code SA} user, kept in {@code CAPSYNC_HOME/repository/password}
 * (mode 0600), beside the database it opens. Without it any local process that reaches the run's loopback
 * {@code AUTO_SERVER} could log in with H2's default empty password. Generated when the repository is first created;
 * a repository of an earlier capsync (empty password) gets it set the first time it is opened.
 */
final class RepositoryPassword {

    static final String FILE = "password";
    private static final String DATABASE_FILE = "capsync.mv.db";
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
    /**
     * Rounds of "stored password, else set it on the empty one" when processes set it at once. Every process sets the
     * file's password, so once the empty one is refused the stored one works: when another process's ALTER lands
     * between our two logins, the second round gets in. A second refusal means the file does not hold the repository's
     * password; more rounds would only add H2's growing delay after each wrong one (a quarter second, doubling to 4 s).
     */
    private static final int ROUNDS = 2;

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
            throw missing(folder);
        }
        return load(file);
    }

    /**
     * A connection to the embedded repository at {@code url} (its own JDBC URL, or a variant such as a read-only one)
     * with the stored password. A repository an earlier capsync made with H2's empty password gets the stored one
     * first ({@link #set}): the one way every capsync process upgrades it.
     *
     * @throws Unusable when the repository refuses the stored password even then, or the file is unusable
     */
    static Connection connect(RepositoryLocation.EmbeddedH2 location, String url) throws SQLException {
        try {
            return connectWithStored(location, url);
        } catch (NotSet earlierCapsync) {
            for (int round = 0; round < ROUNDS; round++) {
                set(location);
                try {
                    return connectWithStored(location, url);
                } catch (NotSet straddled) {
                    // Another opener's ALTER (the same password, a new salt) fell between this login's reads: again.
                }
            }
            throw refused(location);
        }
    }

    /** Whether the repository exists without a password file: made by an earlier capsync, on H2's empty password. */
    static boolean earlierCapsyncs(RepositoryLocation.EmbeddedH2 location) {
        return !Files.exists(location.folder().resolve(FILE)) && Files.exists(location.folder().resolve(DATABASE_FILE));
    }

    /**
     * Through H2's driver itself: {@code DriverManager} first loads every driver on the class path, and the PostgreSQL
     * one starts JDK logging, which a command on an H2 repository has no other use for.
     */
    private static Connection h2(String url, String user, String password) throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        return new org.h2.Driver().connect(url, credentials);
    }

    private static Connection connectWithStored(RepositoryLocation.EmbeddedH2 location, String url) throws SQLException, NotSet {
        if (earlierCapsyncs(location)) {
            throw new NotSet(location);
        }
        String password = read(location.folder());
        try {
            return h2(url, location.user(), password);
        } catch (SQLException e) {
            if (e.getErrorCode() == ErrorCode.WRONG_USER_OR_PASSWORD) {
                throw new NotSet(location);
            }
            throw e;
        }
    }

    /**
     * Sets the stored password on a repository that still has H2's empty one, creating the file if there is none.
     * The caller keeps other capsync processes from opening the repository meanwhile (the {@link RepositoryGate} held
     * exclusively): two processes opening the file at the same moment trip over H2's lock file. Without the gate (it
     * was given up on) this still holds: each process sets the same password, the file being created once without
     * replacing, and one whose logins straddle another's ALTER gets in on the second round.
     *
     * @throws Unusable when the repository refuses both the stored and the empty password, or the file is unusable
     */
    static void set(RepositoryLocation.EmbeddedH2 location) throws SQLException {
        Path file = location.folder().resolve(FILE);
        String writable = location.jdbcUrl() + ";IFEXISTS=TRUE";
        for (int round = 0; round < ROUNDS; round++) {
            boolean stored = Files.exists(file);
            if (stored) {
                try (Connection done = h2(writable, location.user(), load(file))) {
                    return; // another process set it meanwhile
                } catch (SQLException e) {
                    if (e.getErrorCode() != ErrorCode.WRONG_USER_OR_PASSWORD) {
                        throw e;
                    }
                }
            }
            try (Connection earlier = h2(writable, location.user(), "");
                 PreparedStatement alter = earlier.prepareStatement("ALTER USER " + location.user() + " SET PASSWORD ?")) {
                // Created only once the empty password is known to work: a lost file must not be replaced by a new one.
                alter.setString(1, stored ? load(file) : create(file));
                alter.execute();
                return;
            } catch (SQLException e) {
                if (e.getErrorCode() != ErrorCode.WRONG_USER_OR_PASSWORD) {
                    throw e;
                }
                if (!Files.exists(file)) {
                    throw missing(location.folder()); // it refuses the empty password: it had one, in a lost file
                }
            }
        }
        throw refused(location);
    }

    private static Unusable refused(RepositoryLocation.EmbeddedH2 location) {
        return new Unusable("the job repository " + location.folder().resolve(DATABASE_FILE) + " refuses the password in "
                + location.folder().resolve(FILE) + " (the file was replaced, or the password changed): restore the file"
                + " from the backup of CAPSYNC_HOME that holds the repository");
    }

    private static Unusable missing(Path folder) {
        return new Unusable("the job repository's password file " + folder.resolve(FILE) + " is missing, but the repository "
                + folder.resolve(DATABASE_FILE) + " exists: restore the file from the backup of CAPSYNC_HOME that holds"
                + " the repository");
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
        new SecureRandom().nextBytes(random);
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
            syncFolder(file.getParent());
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

    /**
     * The file's name on disk before the repository is given its password: a crash must not leave a repository whose
     * password was in a file that vanished with the power.
     */
    private static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException notOnThisOs) {
            // Windows cannot open a folder as a channel; NTFS journals the name itself
        }
    }

    private static String reason(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    /** The repository does not take the stored password (yet): see {@link #set}. */
    private static final class NotSet extends Exception {
        NotSet(RepositoryLocation.EmbeddedH2 location) {
            super("the job repository in " + location.folder() + " has no password from capsync yet", null, false, false);
        }
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

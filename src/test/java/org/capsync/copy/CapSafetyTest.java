package org.capsync.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What capsync will and won't write at a local CAP (docs/safety.md), one row per case: whoever can write into a CAP
 * folder plants links, special files or temp names there, and capsync must never write, rename over, chmod or delete
 * anything outside the destination. After every row the files outside the CAP are byte for byte, mode for mode what
 * they were, and no file appeared there.
 */
class CapSafetyTest {

    private static final String EARLIER_TEMP = ".client.lkp.client-lkp.capsync-tmp";

    @TempDir
    Path dir;

    TestSite site;
    Path outside;
    Path precious;

    @BeforeEach
    void setUp() throws IOException {
        site = TestSite.withCaps(dir, 1);
        outside = Files.createDirectories(dir.resolve("outside"));
        precious = outside.resolve("precious.txt");
        Files.writeString(precious, "capsync must never write here\n");
        Files.setPosixFilePermissions(precious, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(precious, FileTime.fromMillis(1_000_000_000_000L));
    }

    /** One planted thing at the CAP, what the attempt must answer, and what must hold at the CAP afterwards. */
    record Row(String name, Consumer<Fixture> plant, boolean lockToken, CopyOutcome.Kind kind, String reason,
            Predicate<Fixture> after) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The CAP's target folder and the folder outside it, for the rows. */
    record Fixture(Path capRoot, Path folder, Path target, Path outside, Path precious) {
        Path at(String name) {
            return folder.resolve(name);
        }
    }

    static Stream<Arguments> plantedThings() {
        return Stream.of(
                // Links: never written through, never replaced, never followed below the CAP path.
                row("the earlier fixed temp name is a link to a file outside",
                        f -> link(f.at(EARLIER_TEMP), f.precious()), false, CopyOutcome.Kind.COPIED, null,
                        f -> !Files.exists(f.at(EARLIER_TEMP), LinkOption.NOFOLLOW_LINKS)),
                row("a name of this job's temp pattern is a link to a file outside",
                        f -> link(f.at(".client.lkp.client-lkp.0123456789abcdef.capsync-tmp"), f.precious()), false,
                        CopyOutcome.Kind.COPIED, null, f -> true),
                row("the target is a link to a file outside",
                        f -> link(f.target(), f.precious()), false, CopyOutcome.Kind.FAILED, "is a link",
                        f -> Files.isSymbolicLink(f.target())),
                row("the target is a dangling link to a name outside",
                        f -> link(f.target(), f.outside().resolve("new.lkp")), false, CopyOutcome.Kind.FAILED, "is a link",
                        f -> Files.isSymbolicLink(f.target())),
                row("the target folder is a link to a folder outside",
                        f -> replaceWithLink(f.folder(), f.outside()), false, CopyOutcome.Kind.FAILED,
                        "is a link; capsync follows no links below a CAP path", f -> true),
                row("the lock token is a dangling link to a name outside",
                        f -> link(f.at(LockToken.NAME), f.outside().resolve("token")), true, CopyOutcome.Kind.FAILED,
                        "is a link", f -> Files.isSymbolicLink(f.at(LockToken.NAME))),
                row("the lock token is a link to a file outside",
                        f -> link(f.at(LockToken.NAME), f.precious()), true, CopyOutcome.Kind.FAILED, "is a link",
                        f -> Files.isSymbolicLink(f.at(LockToken.NAME))),
                // Special files where a file or folder is expected: said as what they are.
                row("the target is a named pipe",
                        f -> mkfifo(f.target()), false, CopyOutcome.Kind.FAILED, "not a regular file", f -> true),
                row("the target is a folder",
                        f -> mkdir(f.target()), false, CopyOutcome.Kind.FAILED, "is a directory, not a file", f -> true),
                row("the target folder is a file",
                        f -> replaceWithFile(f.folder()), false, CopyOutcome.Kind.FAILED, "is a file, not a folder", f -> true),
                row("the CAP path is a file",
                        f -> replaceWithFile(f.capRoot()), false, CopyOutcome.Kind.FAILED, "is a file, not a folder", f -> true),
                row("the target folder is a named pipe",
                        f -> { delete(f.folder()); mkfifo(f.folder()); }, false, CopyOutcome.Kind.FAILED,
                        "is not a folder (a device or other special file)", f -> true),
                // Leftovers: a killed attempt's are removed, a file of another job or file name never.
                row("a killed attempt's temp file", f -> write(f.at(".client.lkp.client-lkp.00000000deadbeef.capsync-tmp")),
                        false, CopyOutcome.Kind.COPIED, null,
                        f -> !Files.exists(f.at(".client.lkp.client-lkp.00000000deadbeef.capsync-tmp"))),
                row("another job's temp file", f -> write(f.at(".client.lkp.other-job.00000000deadbeef.capsync-tmp")),
                        false, CopyOutcome.Kind.COPIED, null,
                        f -> Files.exists(f.at(".client.lkp.other-job.00000000deadbeef.capsync-tmp"))),
                row("a look-alike of this job's temp name", f -> write(f.at(".client.lkp.client-lkp.not-random.capsync-tmp")),
                        false, CopyOutcome.Kind.COPIED, null,
                        f -> Files.exists(f.at(".client.lkp.client-lkp.not-random.capsync-tmp"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plantedThings")
    void nothingOutsideTheDestinationIsTouched(Row row) throws IOException {
        Fixture fixture = new Fixture(site.capRoot("CAP_001"), site.capRoot("CAP_001").resolve("clidata.box"),
                site.capFile("CAP_001"), outside, precious);
        Snapshot before = Snapshot.of(outside);
        row.plant().accept(fixture);
        LocalTransport transport = new LocalTransport(LocalSharingViolations.forThisMachine());
        TargetCopier copier = row.lockToken() ? new TargetCopier(List.of(transport), new LockToken("client-lkp"))
                : new TargetCopier(List.of(transport));

        CopyOutcome outcome = copier.attempt(source(), target());

        assertThat(outcome.kind()).as(String.valueOf(outcome.reason())).isEqualTo(row.kind());
        if (row.reason() != null) {
            assertThat(outcome.reason()).contains(row.reason());
        }
        if (row.kind() == CopyOutcome.Kind.COPIED) {
            assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
            assertThat(site.capFile("CAP_001")).isRegularFile();
        }
        assertThat(Snapshot.of(outside)).as("the folder outside the CAP").isEqualTo(before);
        assertThat(row.after().test(fixture)).as("the CAP afterwards").isTrue();
    }

    /** Two CAP names for one folder (not provable when parsing, e.g. through a mount): their writers never collide. */
    @Test
    void twoWritersToOneFolderNeverCorruptEachOther() throws Exception {
        byte[] a = TestSite.bytes(256 * 1024, 1);
        byte[] b = TestSite.bytes(256 * 1024, 2);
        Files.write(dir.resolve("inbox/a"), a);
        Files.write(dir.resolve("inbox/b"), b);
        SourceFile sourceA = LocalTransportTest.sourceFile(dir.resolve("inbox/a"));
        SourceFile sourceB = LocalTransportTest.sourceFile(dir.resolve("inbox/b"));
        Path alias = dir.resolve("alias");
        Files.createSymbolicLink(alias, site.capRoot("CAP_001"));
        TargetFile one = TargetFile.of("CAP_001", site.capRoot("CAP_001").toString(), "clidata.box", "client.lkp", "client-lkp");
        TargetFile two = TargetFile.of("CAP_ALIAS", alias.toString(), "clidata.box", "client.lkp", "client-lkp");
        TargetCopier copier = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (TargetFile target : List.of(one, two)) {
                Callable<Void> writer = () -> {
                    for (int i = 0; i < 60; i++) {
                        CopyOutcome outcome = copier.attempt(i % 2 == 0 ? sourceA : sourceB, target);
                        if (outcome.kind() == CopyOutcome.Kind.FAILED) {
                            failures.add(target.capName() + ": " + outcome.reason());
                        }
                    }
                    return null;
                };
                done.add(threads.submit(writer));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(failures).isEmpty();
        assertThat(site.capBytes("CAP_001")).satisfiesAnyOf(bytes -> assertThat(bytes).isEqualTo(a),
                bytes -> assertThat(bytes).isEqualTo(b));
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    /** A live writer in another process holds its temp file locked: a removal of leftovers leaves it alone. */
    @Test
    void aTempFileAnotherProcessStillWritesIsLeftAlone() throws IOException {
        Path live = site.capFile("CAP_001").resolveSibling(".client.lkp.client-lkp.0123456789abcdef.capsync-tmp");
        Files.write(live, new byte[] {1, 2, 3});
        TargetCopier copier = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())));

        try (ClientSimulator writer = ClientSimulator.hold(live, Duration.ofMinutes(1))) {
            assertThat(copier.attempt(source(), target()).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
            assertThat(live).exists();
        }
        assertThat(copier.attempt(source(), target()).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
        assertThat(live).doesNotExist();
    }

    /** Item 5: owner, group and mode. Each row: how the CAP is set up, and the mode (and owner) of client.lkp after. */
    static Stream<Arguments> modes() {
        return Stream.of(
                Arguments.of("a replaced file keeps the target's mode", "rwxr-xr-x", "rw-r-----", false, "rw-r-----", CopyOutcome.Kind.COPIED),
                Arguments.of("a replaced file keeps a read-only target's mode", "rwxr-xr-x", "r--r--r--", false, "r--r--r--", CopyOutcome.Kind.COPIED),
                Arguments.of("a replaced file keeps the target's owner and group", "rwxr-xr-x", "rw-r--r--", true, "rw-r--r--", CopyOutcome.Kind.COPIED),
                Arguments.of("a new file in an open folder", "rwxr-xr-x", null, false, "rw-r--r--", CopyOutcome.Kind.COPIED),
                Arguments.of("a new file in a folder closed to others", "rwxr-x---", null, false, "rw-r-----", CopyOutcome.Kind.COPIED),
                Arguments.of("a new file in a folder others may only pass", "rwx--x--x", null, false, "rw-r--r--", CopyOutcome.Kind.COPIED),
                Arguments.of("a current target only its owner may read, in an open folder, gets read for clients",
                        "rwxr-xr-x", "rw-------", false, "rw-r--r--", CopyOutcome.Kind.COPIED),
                Arguments.of("a current target only its owner may read, in a closed folder, is left alone",
                        "rwx------", "rw-------", false, "rw-------", CopyOutcome.Kind.UNCHANGED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void theReplacedFileHasTheRightModeAndOwner(String name, String folderMode, String targetMode, boolean giveAway,
            String expectedMode, CopyOutcome.Kind expected) throws IOException {
        Path folder = site.capRoot("CAP_001").resolve("clidata.box");
        Path target = site.capFile("CAP_001");
        UserPrincipalLookupService users = target.getFileSystem().getUserPrincipalLookupService();
        if (targetMode != null) {
            // the right bytes when the row expects UNCHANGED, other bytes otherwise
            Files.write(target, expected == CopyOutcome.Kind.UNCHANGED || targetMode.equals("rw-------")
                    ? site.sourceBytes() : TestSite.bytes(100, 9));
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(targetMode));
            if (giveAway) {
                Files.setOwner(target, users.lookupPrincipalByName("nobody"));
                Files.getFileAttributeView(target, java.nio.file.attribute.PosixFileAttributeView.class)
                        .setGroup(users.lookupPrincipalByGroupName("nogroup"));
            }
        }
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString(folderMode));

        CopyOutcome outcome = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())))
                .attempt(source(), target());

        assertThat(outcome.kind()).as(String.valueOf(outcome.reason())).isEqualTo(expected);
        assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
        PosixFileAttributes after = Files.readAttributes(target, PosixFileAttributes.class);
        assertThat(PosixFilePermissions.toString(after.permissions())).isEqualTo(expectedMode);
        if (giveAway) {
            assertThat(after.owner().getName()).isEqualTo("nobody");
            assertThat(after.group().getName()).isEqualTo("nogroup");
        }
    }

    /**
     * Owner and group are compared and kept as numbers: one without a name in the user database, or only the group
     * differing, is kept all the same (capsync runs as root here, as a service that may give files away does).
     */
    @ParameterizedTest(name = "uid {0}, gid {1}")
    @org.junit.jupiter.params.provider.CsvSource({"54321, 54322", "0, 54322", "54321, 0"})
    void aReplacedFileKeepsNumericOwnerAndGroup(int uid, int gid) throws IOException {
        Path target = site.capFile("CAP_001");
        Files.write(target, TestSite.bytes(100, 9));
        Files.setAttribute(target, "unix:uid", uid);
        Files.setAttribute(target, "unix:gid", gid);

        CopyOutcome outcome = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())))
                .attempt(source(), target());

        assertThat(outcome.kind()).as(String.valueOf(outcome.reason())).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
        assertThat(Files.getAttribute(target, "unix:uid")).isEqualTo(uid);
        assertThat(Files.getAttribute(target, "unix:gid")).isEqualTo(gid);
    }

    /**
     * A non-root capsync and a read-only target (mode 0444: a CIFS mount shows the DOS read-only attribute so) that a
     * reader holds with a shared lock: in use, never replaced under the reader. Once the reader is gone the target is
     * replaced and stays read-only. The copy runs in a child JVM as nobody.
     */
    @Test
    void aReadOnlyTargetAReaderHoldsIsInUseForANonRootCapsync() throws Exception {
        Path target = site.capFile("CAP_001");
        byte[] stale = TestSite.bytes(100, 9);
        Files.write(target, stale);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--r--r--"));
        openToEveryone(dir, dir.resolve("inbox"), dir.resolve("caps"), site.capRoot("CAP_001"));
        Files.setPosixFilePermissions(target.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(dir.resolve("inbox/client.lkp"), PosixFilePermissions.fromString("rw-r--r--"));
        List<String> asNobody = ChildCopy.command(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"),
                site.capRoot("CAP_001").toString(), "clidata.box", dir.resolve("inbox/client.lkp"));

        try (ClientSimulator reader = ClientSimulator.hold(target, Duration.ofMinutes(1))) {
            String held = ChildCopy.run(asNobody);
            assertThat(held).startsWith("IN_USE|").contains("in use");
            assertThat(Files.readAllBytes(target)).isEqualTo(stale);
        }
        String free = ChildCopy.run(asNobody);

        assertThat(free).startsWith("COPIED|");
        assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("r--r--r--");
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    /** A CAP folder capsync's user may not enter is said so, not "not found" (the copy runs as nobody). */
    @Test
    void aCapFolderCapsyncMayNotEnterIsSaidSo() throws Exception {
        openToEveryone(dir, dir.resolve("inbox"), dir.resolve("caps"));
        Files.setPosixFilePermissions(site.capRoot("CAP_001"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(dir.resolve("inbox/client.lkp"), PosixFilePermissions.fromString("rw-r--r--"));

        String outcome = ChildCopy.run(ChildCopy.command(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"),
                site.capRoot("CAP_001").toString(), "clidata.box", dir.resolve("inbox/client.lkp")));

        assertThat(outcome).startsWith("FAILED|").contains(site.capRoot("CAP_001").toString()).contains("permission denied");
    }

    /** capsync started with umask 077 (root's cron, a hardened shell): clients can still read what it writes. */
    @Test
    void aUmaskOf077DoesNotMakeTheCopyUnreadableByClients() throws Exception {
        Path target = site.capFile("CAP_001");
        Files.write(target, TestSite.bytes(100, 9));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(target.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> withUmask077 = ChildCopy.command(List.of("sh", "-c", "umask 077 && exec \"$0\" \"$@\""),
                site.capRoot("CAP_001").toString(), "clidata.box", dir.resolve("inbox/client.lkp"));

        assertThat(ChildCopy.run(withUmask077)).startsWith("COPIED|");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r--r--");
        Files.delete(target);
        assertThat(ChildCopy.run(withUmask077)).startsWith("COPIED|");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r--r--");
    }

    private static void openToEveryone(Path... folders) throws IOException {
        for (Path folder : folders) {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private TargetFile target() {
        return TargetFile.of("CAP_001", site.capRoot("CAP_001").toString(), "clidata.box", "client.lkp", "client-lkp");
    }

    private SourceFile source() throws IOException {
        Path file = dir.resolve("inbox/client.lkp");
        try (InputStream in = Files.newInputStream(file)) {
            return new SourceFile("client.lkp", file, FileDigest.of(in), Files.getLastModifiedTime(file));
        }
    }

    /** Every entry under a folder with its kind, bytes, mode and date: equal before and after means untouched. */
    record Snapshot(List<String> entries) {
        static Snapshot of(Path root) {
            List<String> entries = new ArrayList<>();
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.sorted().toList()) {
                    PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    String content = a.isRegularFile() ? java.util.HexFormat.of().formatHex(Files.readAllBytes(p)) : "";
                    entries.add(root.relativize(p) + " " + PosixFilePermissions.toString(a.permissions()) + " "
                            + a.lastModifiedTime() + " " + a.owner() + " " + content);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Snapshot(entries);
        }
    }

    private static Arguments row(String name, Consumer<Fixture> plant, boolean lockToken, CopyOutcome.Kind kind,
            String reason, Predicate<Fixture> after) {
        return Arguments.of(new Row(name, plant, lockToken, kind, reason, after));
    }

    private static void link(Path link, Path to) {
        try {
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void replaceWithLink(Path folder, Path to) {
        delete(folder);
        link(folder, to);
    }

    private static void replaceWithFile(Path folder) {
        delete(folder);
        write(folder);
    }

    private static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file) {
        try {
            Files.write(file, new byte[] {1, 2, 3});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdir(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkfifo(Path file) {
        try {
            Process p = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
            assertThat(p.waitFor()).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

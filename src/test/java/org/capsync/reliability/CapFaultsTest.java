package org.capsync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.capsync.support.Cli;
import org.capsync.support.Mounts;
import org.capsync.support.Repository;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults at one CAP: that CAP FAILED with the reason, no temp file left, the other CAPs copied, exit 3 — and capsync
 * writes nothing at a CAP but its temp file and the target.
 */
class CapFaultsTest {

    @TempDir
    Path dir;

    @Test
    void aReadOnlyTargetFolderFailsThatCapOnly() throws Exception {
        Mounts.requireRoot();
        TestSite site = TestSite.withCaps(dir, 3);
        Path box = site.capFile("CAP_002").getParent();
        Mounts.readOnlyBind(box);
        try {
            Cli.Result result = Cli.run(site, "run", "job.yml");

            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(result.lastLine()).matches("client-lkp: 2 copied, 0 unchanged, 0 skipped, 1 failed \\(execution \\d+, COMPLETED_WITH_SKIPS\\)");
            assertThat(pair(site, "CAP_002")).containsEntry("STATUS", "FAILED").containsEntry("ATTEMPTS", 1);
            assertThat((String) pair(site, "CAP_002").get("LAST_ERROR")).contains("Read-only file system");
        } finally {
            Mounts.unmount(box);
        }
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    @Test
    void aFullDiskFailsThatCapAndLeavesNoTempFile() throws Exception {
        Mounts.requireRoot();
        TestSite site = TestSite.withCaps(dir, 3);
        site.source("client.lkp", TestSite.bytes(64 * 1024, 5));
        Path box = site.capFile("CAP_003").getParent();
        Mounts.tmpfs(box, "96k");
        try {
            byte[] old = TestSite.bytes(40 * 1024, 6);
            Files.write(site.capFile("CAP_003"), old);

            Cli.Result result = Cli.run(site, "run", "job.yml");

            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(pair(site, "CAP_003")).containsEntry("STATUS", "FAILED");
            assertThat((String) pair(site, "CAP_003").get("LAST_ERROR")).contains("No space left on device");
            assertThat(site.capBytes("CAP_003")).as("the old file is intact").isEqualTo(old);
            try (Stream<Path> files = Files.list(box)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("client.lkp");
            }
        } finally {
            Mounts.unmount(box);
        }
        assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
    }

    @Test
    void aTargetThatIsADirectoryAndACapPathThatDoesNotExistFailThoseCapsNotTheRun() throws Exception {
        TestSite site = TestSite.withCaps(dir, 3);
        Files.createDirectories(site.capFile("CAP_001"));
        TestSite.write(site.capsFile(), Files.readString(site.capsFile()) + "CAP_GONE," + dir.resolve("no/such/share") + "\n");

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(3);
        assertThat(result.lastLine()).matches("client-lkp: 2 copied, 0 unchanged, 0 skipped, 2 failed \\(execution \\d+, COMPLETED_WITH_SKIPS\\)");
        assertThat((String) pair(site, "CAP_001").get("LAST_ERROR")).contains("is a directory");
        assertThat((String) pair(site, "CAP_GONE").get("LAST_ERROR")).contains("no/such/share").contains("not found");
        assertThat(Files.exists(dir.resolve("no"))).as("nothing created for a missing CAP").isFalse();
    }

    @Test
    void nothingAtACapIsWrittenOrDeletedButTheTargetAndItsTempFile() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        Path box = site.capFile("CAP_001").getParent();
        Files.writeString(box.resolve("hinv.box.readme"), "other inbox content");
        Files.writeString(site.capRoot("CAP_001").resolve("cap.ini"), "[CAP]");
        FileTime old = FileTime.fromMillis(1_600_000_000_000L);
        Files.setLastModifiedTime(box.resolve("hinv.box.readme"), old);
        Files.setLastModifiedTime(site.capRoot("CAP_001").resolve("cap.ini"), old);
        Map<Path, FileTime> before = listing(site.capRoot("CAP_001"));

        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        site.source("client.lkp", TestSite.bytes(1000, 42));
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();

        Map<Path, FileTime> after = listing(site.capRoot("CAP_001"));
        assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(
                Stream.concat(before.keySet().stream(), Stream.of(site.capFile("CAP_001"))).collect(Collectors.toSet()));
        assertThat(after.get(box.resolve("hinv.box.readme"))).isEqualTo(old);
        assertThat(after.get(site.capRoot("CAP_001").resolve("cap.ini"))).isEqualTo(old);
    }

    @Test
    void capsyncHomeIsReadableByItsOwnerOnly() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1);

        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();

        for (Path folder : List.of(site.home(), site.home().resolve("repository"), site.home().resolve("logs"))) {
            assertThat(Files.getPosixFilePermissions(folder)).as(folder.toString())
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
        }
    }

    private static Map<String, Object> pair(TestSite site, String cap) {
        return Repository.query(site.home(), "SELECT STATUS, ATTEMPTS, LAST_ERROR FROM CAPSYNC_PAIR WHERE CAP_NAME = ? ORDER BY PAIR_ID DESC", cap).get(0);
    }

    private static Map<Path, FileTime> listing(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).collect(Collectors.toMap(p -> p, p -> {
                try {
                    return Files.getLastModifiedTime(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
    }
}

package org.capsync.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy to one local CAP, driven without Spring, on real files. */
class LocalTransportTest {

    @TempDir
    Path dir;

    TestSite site;
    TargetCopier copier;
    SourceFile source;

    @BeforeEach
    void setUp() throws IOException {
        site = TestSite.withCaps(dir, 1);
        copier = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())));
        source = sourceFile(dir.resolve("inbox/client.lkp"));
    }

    @Test
    void copiesANewFileWithTheSourcesBytesAndDate() throws IOException {
        CopyOutcome outcome = copier.attempt(source, target("CAP_001"));

        assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
        assertThat(Files.getLastModifiedTime(site.capFile("CAP_001"))).isEqualTo(source.lastModified());
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    /** Clients compare dates: the copy's is the source's to the nanosecond, where the file system keeps nanoseconds. */
    @Test
    void theCopysDateIsTheSourcesToTheNanosecond() throws IOException {
        Files.setLastModifiedTime(dir.resolve("inbox/client.lkp"), FileTime.from(Instant.ofEpochSecond(1_600_000_000L, 123_456_789)));
        FileTime precise = Files.getLastModifiedTime(dir.resolve("inbox/client.lkp")); // as precise as the file system keeps
        source = sourceFile(dir.resolve("inbox/client.lkp"));
        Files.write(site.capFile("CAP_001"), TestSite.bytes(16 * 1024, 99));

        assertThat(copier.attempt(source, target("CAP_001")).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(Files.getLastModifiedTime(site.capFile("CAP_001"))).isEqualTo(precise);
    }

    /** On Linux a UNC path is a relative one: it is never resolved against the folder capsync was started from. */
    @Test
    void aWindowsPathIsFailedNotTakenRelativeToTheWorkingFolder() {
        for (String windowsPath : List.of("\\\\SITESRV01\\CAP_XYZ", "C:\\caps\\xyz")) {
            CopyOutcome outcome = copier.attempt(source, TargetFile.of("CAP_XYZ", windowsPath, "clidata.box", "client.lkp", "client-lkp"));

            assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
            assertThat(outcome.reason()).contains(windowsPath + " is not a full path on this system", "smb://SERVER/SHARE");
        }
    }

    @Test
    void leavesATargetThatHoldsTheRightBytesUntouched() throws IOException {
        copier.attempt(source, target("CAP_001"));
        FileTime marker = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(site.capFile("CAP_001"), marker);

        CopyOutcome outcome = copier.attempt(source, target("CAP_001"));

        assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
        assertThat(Files.getLastModifiedTime(site.capFile("CAP_001"))).isEqualTo(marker);
    }

    @Test
    void replacesAStaleTarget() throws IOException {
        Files.write(site.capFile("CAP_001"), TestSite.bytes(16 * 1024, 99));

        assertThat(copier.attempt(source, target("CAP_001")).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
    }

    @Test
    void aTargetHeldByAClientIsInUseAndKeepsItsBytes() throws IOException {
        byte[] stale = TestSite.bytes(16 * 1024, 99);
        Files.write(site.capFile("CAP_001"), stale);

        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_001"), Duration.ofMinutes(1))) {
            CopyOutcome outcome = copier.attempt(source, target("CAP_001"));

            assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.IN_USE);
            assertThat(outcome.reason()).contains("in use");
        }
        assertThat(site.capBytes("CAP_001")).isEqualTo(stale);
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    @Test
    void aMissingCapFolderFailsWithItsPath() {
        CopyOutcome outcome = copier.attempt(source, TargetFile.of("CAP_X", dir.resolve("nowhere").toString(), "clidata.box", "client.lkp", "job"));

        assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
        assertThat(outcome.reason()).contains("nowhere").contains("not found");
    }

    @Test
    void aTargetThatIsADirectoryFails() throws IOException {
        Files.createDirectories(site.capFile("CAP_001"));

        CopyOutcome outcome = copier.attempt(source, target("CAP_001"));

        assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
        assertThat(outcome.reason()).contains("is a directory");
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    @Test
    void removesTempFilesLeftByACrashedRun() throws IOException {
        TargetFile target = target("CAP_001");
        Path leftover = site.capFile("CAP_001").resolveSibling(target.newTempName());
        Path earlierVersions = site.capFile("CAP_001").resolveSibling(".client.lkp.client-lkp.capsync-tmp");
        Files.write(leftover, new byte[] {1, 2, 3});
        Files.write(earlierVersions, new byte[] {1, 2, 3});

        assertThat(copier.attempt(source, target).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(leftover).doesNotExist();
        assertThat(earlierVersions).doesNotExist();
        Files.write(leftover, new byte[] {1, 2, 3});
        assertThat(copier.attempt(source, target).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
        assertThat(leftover).doesNotExist();
    }

    @Test
    void aTargetOfTheRightSizeWithOtherBytesIsReplaced() throws IOException {
        copier.attempt(source, target("CAP_001"));
        byte[] flipped = site.sourceBytes();
        flipped[flipped.length - 1] ^= 1;
        Files.write(site.capFile("CAP_001"), flipped);

        assertThat(copier.attempt(source, target("CAP_001")).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(site.capBytes("CAP_001")).isEqualTo(site.sourceBytes());
    }

    @Test
    void aSnapshotDamagedSinceItWasTakenIsNeverCopied() throws IOException {
        byte[] stale = TestSite.bytes(16 * 1024, 99);
        Files.write(site.capFile("CAP_001"), stale);
        Path snapshot = dir.resolve("snapshot.lkp");
        Files.write(snapshot, site.sourceBytes());
        SourceFile recorded = sourceFile(snapshot);
        Files.write(snapshot, TestSite.bytes(16 * 1024, 7));

        CopyOutcome outcome = copier.attempt(recorded, target("CAP_001"));

        assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
        assertThat(outcome.reason()).contains("snapshot.lkp").contains("no longer matches");
        assertThat(site.capBytes("CAP_001")).isEqualTo(stale);
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    /** Files too large to hold in memory are streamed from the snapshot and compared chunk by chunk. */
    @Test
    void copiesAndComparesAFileLargerThanItHoldsInMemory() throws IOException {
        byte[] large = TestSite.bytes(17 * 1024 * 1024, 5);
        Files.write(dir.resolve("inbox/large"), large);
        SourceFile big = sourceFile(dir.resolve("inbox/large"));
        TargetFile target = TargetFile.of("CAP_001", site.capRoot("CAP_001").toString(), "clidata.box", "large", "client-lkp");

        assertThat(copier.attempt(big, target).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(copier.attempt(big, target).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
        large[large.length / 2] ^= 1;
        Files.write(site.capRoot("CAP_001").resolve("clidata.box/large"), large);
        assertThat(copier.attempt(big, target).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(Files.mismatch(dir.resolve("inbox/large"), site.capRoot("CAP_001").resolve("clidata.box/large"))).isEqualTo(-1);
    }

    /** A reader at the CAP finds the old complete file or the new complete file, never a partial or missing one. */
    @Test
    void aConcurrentReaderNeverSeesAPartialOrMissingFile() throws Exception {
        byte[] a = TestSite.bytes(256 * 1024, 1);
        byte[] b = TestSite.bytes(256 * 1024, 2);
        Files.write(dir.resolve("inbox/a"), a);
        Files.write(dir.resolve("inbox/b"), b);
        SourceFile sourceA = sourceFile(dir.resolve("inbox/a"));
        SourceFile sourceB = sourceFile(dir.resolve("inbox/b"));
        copier.attempt(sourceA, target("CAP_001"));

        AtomicBoolean done = new AtomicBoolean();
        List<String> badReads = new ArrayList<>();
        int[] reads = {0};
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    byte[] seen = Files.readAllBytes(site.capFile("CAP_001"));
                    reads[0]++;
                    if (!Arrays.equals(seen, a) && !Arrays.equals(seen, b)) {
                        badReads.add("partial read of " + seen.length + " bytes");
                    }
                } catch (NoSuchFileException e) {
                    badReads.add("file missing");
                } catch (IOException e) {
                    badReads.add(e.toString());
                }
            }
        });
        reader.start();
        for (int i = 0; i < 100; i++) {
            CopyOutcome outcome = copier.attempt(i % 2 == 0 ? sourceB : sourceA, target("CAP_001"));
            assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        }
        done.set(true);
        reader.join();

        assertThat(badReads).isEmpty();
        assertThat(reads[0]).isGreaterThan(10);
    }

    private TargetFile target(String cap) {
        return TargetFile.of(cap, site.capRoot(cap).toString(), "clidata.box", "client.lkp", "client-lkp");
    }

    static SourceFile sourceFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new SourceFile(file.getFileName().toString(), file, FileDigest.of(in), Files.getLastModifiedTime(file));
        }
    }
}

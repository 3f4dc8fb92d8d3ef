package org.capsync.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone who may write into a CAP folder watches it, and as soon as capsync creates its temp file, moves it aside and
 * puts a hard link to a file of theirs (or anyone's they may link) under its name. capsync then sets the date, owner
 * and mode of the file it wrote, through the open file, never of the one under the name, and the CAP is FAILED, not
 * COPIED: the target is not what it wrote. A 64 MB source keeps the copy busy long enough for the watcher to act.
 */
class TempFileSwapTest {

    @TempDir
    Path dir;

    @Test
    void aFileSwappedInUnderTheTempNameIsNeitherChangedNorReportedCopied() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1).source("client.lkp", TestSite.bytes(64 * 1024 * 1024, 7));
        Path box = site.capFile("CAP_001").getParent();
        Files.writeString(site.capFile("CAP_001"), "old");
        Files.setPosixFilePermissions(site.capFile("CAP_001"), PosixFilePermissions.fromString("rw-r-----"));
        Path victim = Files.writeString(Files.createDirectory(dir.resolve("elsewhere")).resolve("secret"), "secret");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        FileTime victimTime = FileTime.fromMillis(946_684_800_000L);
        Files.setLastModifiedTime(victim, victimTime);

        CompletableFuture<String> swapped;
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            box.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            swapped = CompletableFuture.supplyAsync(() -> swapTempFile(watcher, box, victim));
            TargetCopier copier = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())));

            CopyOutcome outcome = copier.attempt(LocalTransportTest.sourceFile(dir.resolve("inbox/client.lkp")),
                    TargetFile.of("CAP_001", site.capRoot("CAP_001").toString(), "clidata.box", "client.lkp", "client-lkp"));

            assertThat(swapped.get(30, TimeUnit.SECONDS)).endsWith(".capsync-tmp");
            assertThat(outcome.kind()).as(outcome.reason()).isEqualTo(CopyOutcome.Kind.FAILED);
            assertThat(outcome.reason()).contains("is not the file capsync wrote");
        }
        assertThat(victim).hasContent("secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim))).isEqualTo("rw-------");
        assertThat(Files.getLastModifiedTime(victim)).isEqualTo(victimTime);
    }

    /**
     * The same watcher replaces the target folder with a link to a folder outside the CAP, holding a file under the temp
     * file's name. The copy goes on in the folder it opened: nothing outside changes, not even a date.
     */
    @Test
    void aTargetFolderSwappedForALinkAfterTheTempFileWasCreatedMovesNothingOutside() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1).source("client.lkp", TestSite.bytes(64 * 1024 * 1024, 7));
        Path box = site.capFile("CAP_001").getParent();
        Path outside = Files.createDirectory(dir.resolve("outside"));
        FileTime outsideTime = FileTime.fromMillis(946_684_800_000L);

        CompletableFuture<String> swapped;
        CopyOutcome outcome;
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            box.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            swapped = CompletableFuture.supplyAsync(() -> {
                String temp = firstTempFile(watcher);
                try {
                    Files.setLastModifiedTime(Files.writeString(outside.resolve(temp), "theirs"), outsideTime);
                    Files.move(box, box.resolveSibling("clidata.box.real"));
                    Files.createSymbolicLink(box, outside);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return temp;
            });
            TargetCopier copier = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())));

            outcome = copier.attempt(LocalTransportTest.sourceFile(dir.resolve("inbox/client.lkp")),
                    TargetFile.of("CAP_001", site.capRoot("CAP_001").toString(), "clidata.box", "client.lkp", "client-lkp"));
        }
        String temp = swapped.get(30, TimeUnit.SECONDS);

        assertThat(outcome.kind()).as(outcome.reason()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(box.resolveSibling("clidata.box.real").resolve("client.lkp")).hasBinaryContent(site.sourceBytes());
        assertThat(outside.toFile().list()).containsExactly(temp);
        assertThat(outside.resolve(temp)).hasContent("theirs");
        assertThat(Files.getLastModifiedTime(outside.resolve(temp))).isEqualTo(outsideTime);
    }

    private static String firstTempFile(WatchService watcher) {
        try {
            while (true) {
                WatchKey key = watcher.poll(30, TimeUnit.SECONDS);
                if (key == null) {
                    throw new IllegalStateException("no temp file created");
                }
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (String.valueOf(event.context()).endsWith(".capsync-tmp")) {
                        return String.valueOf(event.context());
                    }
                }
                key.reset();
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The attacker: the first temp file created goes aside, a hard link to {@code victim} takes its name. */
    private static String swapTempFile(WatchService watcher, Path box, Path victim) {
        String name = firstTempFile(watcher);
        try {
            Files.move(box.resolve(name), box.resolve("aside"));
            Files.createLink(box.resolve(name), victim);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return name;
    }
}

package org.capsync.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.capsync.support.TestSite;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inboxlck.tok at a local CAP (SMB CAPs: SmbTransportTest, where a client can block its removal). */
class LockTokenTest {

    @TempDir
    Path dir;

    TestSite site;
    Path token;
    TargetCopier copier;

    @BeforeEach
    void setUp() {
        site = TestSite.withCaps(dir, 1);
        token = site.capFile("CAP_001").resolveSibling(LockToken.NAME);
        copier = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())), new LockToken("client-lkp"));
    }

    @Test
    void standsWhileTheTargetIsUpdatedAndIsGoneAfter() throws Exception {
        Files.write(dir.resolve("inbox/big"), TestSite.bytes(64 * 1024 * 1024, 5));
        AtomicBoolean seen = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            while (!done.get() && !seen.get()) {
                seen.set(Files.exists(token));
            }
        });
        watcher.start();
        CopyOutcome outcome = copier.attempt(source("big"), target());
        done.set(true);
        watcher.join();

        assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(seen).as("token seen during the update").isTrue();
        assertThat(token).doesNotExist();
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    @Test
    void isNotWrittenWhenNothingChanges() throws IOException {
        copier.attempt(source("client.lkp"), target());
        Path folder = token.getParent();
        var before = Files.getLastModifiedTime(folder);

        assertThat(copier.attempt(source("client.lkp"), target()).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
        assertThat(token).doesNotExist();
        assertThat(Files.getLastModifiedTime(folder)).isEqualTo(before);
    }

    @Test
    void aTokenThisJobLeftInADeadRunIsRemoved() throws IOException {
        copier.attempt(source("client.lkp"), target());
        Files.writeString(token, "capsync job=client-lkp\r\nwritten 2024-01-01T00:00:00Z by process 4242\r\n");

        assertThat(copier.attempt(source("client.lkp"), target()).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
        assertThat(token).doesNotExist();
    }

    @Test
    void anotherWritersTokenMeansInUseAndIsLeftAlone() throws IOException {
        Files.writeString(token, "capsync job=another-job\r\n");

        CopyOutcome outcome = copier.attempt(source("client.lkp"), target());

        assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.IN_USE);
        assertThat(outcome.reason()).contains("Inboxlck.tok of another writer");
        assertThat(token).exists();
        assertThat(site.capFile("CAP_001")).doesNotExist();
    }

    @Test
    void withoutTheOptionNoTokenIsEverWritten() throws Exception {
        TargetCopier plain = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())));
        Files.writeString(token, "capsync job=client-lkp\r\n");

        assertThat(plain.attempt(source("client.lkp"), target()).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        // Not its business: without lock-token capsync touches only its temp file and the target.
        assertThat(token).exists();
        Files.delete(token);
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    private TargetFile target() {
        return TargetFile.of("CAP_001", site.capRoot("CAP_001").toString(), "clidata.box", "client.lkp", "client-lkp");
    }

    private SourceFile source(String name) throws IOException {
        Path file = dir.resolve("inbox").resolve(name);
        try (InputStream in = Files.newInputStream(file)) {
            return new SourceFile(name, file, FileDigest.of(in), Files.getLastModifiedTime(file));
        }
    }

}

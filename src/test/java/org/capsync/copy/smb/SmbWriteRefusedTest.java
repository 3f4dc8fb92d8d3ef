package org.capsync.copy.smb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.capsync.copy.CopyOutcome;
import org.capsync.copy.SourceFile;
import org.capsync.copy.TargetCopier;
import org.capsync.copy.TargetFile;
import org.capsync.support.SambaServer;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A WRITE the server refuses (its disk full: here a file-size limit on smbd, answered {@code STATUS_DISK_FULL}) fails
 * that CAP's attempt with the server's word for it, whether the refused piece is the last or not; the CAP keeps its
 * file, nothing is left behind, and the connection stays: the next copy on the server goes through the same session.
 */
class SmbWriteRefusedTest {

    private static final int LIMIT = 1024 * 1024;

    @RegisterExtension
    static final SambaServer samba = SambaServer.forTestClass().guestShare("caps").fileSizeLimit(LIMIT).build();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "a {0}-byte file")
    @ValueSource(ints = {LIMIT + 4321, 3 * LIMIT + 17})
    void aWriteTheServerRefusesFailsThatCapAloneAndKeepsTheSession(int size) throws IOException {
        String cap = "size" + size;
        Path box = samba.folder("caps", cap + "/clidata.box");
        byte[] stale = TestSite.bytes(1000, 99);
        Files.write(box.resolve("client.lkp"), stale);
        Files.write(dir.resolve("big.lkp"), TestSite.bytes(size, 5));
        Files.write(dir.resolve("small.lkp"), TestSite.bytes(4096, 6));
        SourceFile big = SmbTransportTest.sourceFile(dir.resolve("big.lkp"));
        SourceFile small = SmbTransportTest.sourceFile(dir.resolve("small.lkp"));
        TargetFile target = TargetFile.of(cap, samba.url("caps", cap), "clidata.box", "client.lkp", "client-lkp");

        try (SmbSessions sessions = new SmbSessions(SmbCredentials.GUEST)) {
            TargetCopier copier = new TargetCopier(List.of(new SmbTransport(sessions)));
            CopyOutcome refused = copier.attempt(big, target);

            assertThat(refused.kind()).as(String.valueOf(refused.reason())).isEqualTo(CopyOutcome.Kind.FAILED);
            assertThat(refused.reason()).contains("STATUS_DISK_FULL").contains(cap);
            assertThat(Files.readAllBytes(box.resolve("client.lkp"))).isEqualTo(stale);
            try (var files = Files.list(box)) {
                assertThat(files.map(f -> f.getFileName().toString())).containsExactly("client.lkp");
            }

            assertThat(copier.attempt(small, target).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
            assertThat(Files.readAllBytes(box.resolve("client.lkp"))).isEqualTo(Files.readAllBytes(small.path()));
            assertThat(sessions.sessionsOpened()).as("the same session, never dropped").isEqualTo(1);
        }
    }
}

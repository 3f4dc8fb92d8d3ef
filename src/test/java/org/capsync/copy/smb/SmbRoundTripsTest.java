package org.capsync.copy.smb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.capsync.copy.CopyOutcome;
import org.capsync.copy.SourceFile;
import org.capsync.copy.TargetCopier;
import org.capsync.copy.TargetFile;
import org.capsync.support.DelayingProxy;
import org.capsync.support.SambaServer;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a CAP costs on the wire, counted by the benchmark's proxy (figure 4 in small: 10 ms each way, one thread,
 * folders of one share). The requests per CAP are exact whatever the timing. The round trips are counted as the client
 * waited for them: a request sent while none of its connection's is unanswered starts one. A thread scheduled late
 * can only add to them, so they are held to their count plus a margin.
 */
class SmbRoundTripsTest {

    private static final int CAPS = 20;
    private static final FileTime ANOTHER_DAY = FileTime.from(Instant.now().minus(Duration.ofDays(1)));

    @RegisterExtension
    static final SambaServer samba = SambaServer.forTestClass().guestShare("caps").build();

    @TempDir
    Path dir;

    @Test
    void aReplacedCapSendsFourteenRequestsInFiveRoundTripsAndACurrentOneSixInTwo() throws Throwable {
        Files.write(dir.resolve("client.lkp"), TestSite.bytes(16 * 1024, 3));
        SourceFile source = SmbTransportTest.sourceFile(dir.resolve("client.lkp"));
        try (DelayingProxy proxy = new DelayingProxy(new InetSocketAddress(samba.host(), samba.port()), 10);
             SmbSessions sessions = new SmbSessions(SmbCredentials.GUEST)) {
            TargetCopier copier = new TargetCopier(List.of(new SmbTransport(sessions)));
            List<TargetFile> caps = new ArrayList<>();
            for (int i = 0; i <= CAPS; i++) {
                Path box = samba.folder("caps", "CAP_" + i + "/clidata.box");
                Files.write(box.resolve("client.lkp"), TestSite.bytes(1000, 99));
                Files.setLastModifiedTime(box.resolve("client.lkp"), ANOTHER_DAY); // an earlier file's date
                caps.add(TargetFile.of("CAP_" + i, "smb://127.0.0.1:" + proxy.port() + "/caps/CAP_" + i, "clidata.box",
                        "client.lkp", "client-lkp"));
            }
            // CAP_0 logs on and connects the share: what follows is the CAPs' own.
            assertThat(copier.attempt(source, caps.remove(0)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);

            Wire replacing = Wire.of(proxy, () -> attemptAll(copier, source, caps, CopyOutcome.Kind.COPIED));
            Wire current = Wire.of(proxy, () -> attemptAll(copier, source, caps, CopyOutcome.Kind.UNCHANGED));

            assertThat(replacing.requests()).as("requests per replaced CAP").isEqualTo(14.0);
            assertThat(replacing.turns()).as("round trips per replaced CAP").isBetween(5.0, 5.5);
            assertThat(current.requests()).as("requests per current CAP").isEqualTo(6.0);
            assertThat(current.turns()).as("round trips per current CAP").isBetween(2.0, 2.5);
        }
        for (int i = 0; i <= CAPS; i++) {
            Path copy = samba.sharePath("caps").resolve("CAP_" + i + "/clidata.box/client.lkp");
            assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(source.path()));
        }
    }

    private static void attemptAll(TargetCopier copier, SourceFile source, List<TargetFile> caps, CopyOutcome.Kind kind)
            throws IOException {
        for (TargetFile cap : caps) {
            CopyOutcome outcome = copier.attempt(source, cap);
            assertThat(outcome.kind()).as(cap.capName() + ": " + outcome.reason()).isEqualTo(kind);
        }
    }

    /** Requests and round trips per CAP on the proxy's wire during some work. */
    private record Wire(double requests, double turns) {

        static Wire of(DelayingProxy proxy, Executable work) throws Throwable {
            // A CAP's last CLOSE is sent without waiting: let the one before the work, then the work's own, reach the
            // proxy before counting. The work's own starts a round trip that no next CAP shares: 1/CAPS more.
            Thread.sleep(200);
            long requests = proxy.requests();
            long turns = proxy.turns();
            work.execute();
            Thread.sleep(200);
            return new Wire((proxy.requests() - requests) / (double) CAPS, (proxy.turns() - turns) / (double) CAPS);
        }
    }
}

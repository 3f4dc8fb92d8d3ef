package org.capsync.copy.smb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.capsync.copy.CopyOutcome;
import org.capsync.copy.FileDigest;
import org.capsync.copy.LockToken;
import org.capsync.copy.SourceFile;
import org.capsync.copy.TargetCopier;
import org.capsync.copy.TargetFile;
import org.capsync.definition.SmbLocation;
import org.capsync.support.DelayingProxy;
import org.capsync.support.SambaServer;
import org.capsync.support.SmbClient;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The copy to one SMB CAP, driven without Spring, against a real Samba server with real second clients. */
class SmbTransportTest {

    @RegisterExtension
    static final SambaServer samba = SambaServer.forTestClass().guestShare("caps").guestShare("root").userShare("private")
            .build();

    @TempDir
    Path dir;

    SmbSessions sessions;
    TargetCopier copier;
    SourceFile source;
    String cap;

    @BeforeEach
    void setUp(TestInfo test) throws IOException {
        sessions = new SmbSessions(SmbCredentials.GUEST);
        copier = new TargetCopier(List.of(new SmbTransport(sessions)));
        Files.createDirectories(dir.resolve("inbox"));
        Files.write(dir.resolve("inbox/client.lkp"), TestSite.bytes(200 * 1024, 7));
        // A date of its own: a stale target a test writes has another, so its temp file is made while it is read.
        Files.setLastModifiedTime(dir.resolve("inbox/client.lkp"), FileTime.fromMillis(1_600_000_000_000L));
        source = sourceFile(dir.resolve("inbox/client.lkp"));
        cap = test.getTestMethod().orElseThrow().getName();
        samba.folder("caps", cap + "/clidata.box");
    }

    @AfterEach
    void tearDown() {
        sessions.close();
    }

    @Test
    void copiesANewFileToAGuestShareWithTheSourcesBytesAndDate() throws IOException {
        CopyOutcome outcome = copier.attempt(source, target("caps", cap));

        assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(Files.readAllBytes(source.path()));
        assertThat(Files.getLastModifiedTime(onDisk("caps", cap)).toMillis()).isEqualTo(1_600_000_000_000L);
        assertThat(strayFiles("caps", cap)).isEmpty();
        assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
    }

    @Test
    void copiesToAUserShareWithTheUsersCredentials() throws IOException {
        samba.folder("private", cap + "/clidata.box");
        try (SmbSessions user = new SmbSessions(new SmbCredentials("", SambaServer.USER, SambaServer.PASSWORD, "test"))) {
            CopyOutcome outcome = new TargetCopier(List.of(new SmbTransport(user))).attempt(source, target("private", cap));

            assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.COPIED);
            assertThat(Files.readAllBytes(onDisk("private", cap))).isEqualTo(Files.readAllBytes(source.path()));
        }
        // Guest may not use the user share: a clear failure naming the share and the server.
        CopyOutcome asGuest = copier.attempt(source, target("private", cap));
        assertThat(asGuest.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
        assertThat(asGuest.reason()).contains(samba.url("private", ""));
    }

    @Test
    void replacesAStaleTarget() throws IOException {
        Files.write(onDisk("caps", cap), TestSite.bytes(1000, 99));

        assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(Files.readAllBytes(source.path()));
    }

    @Test
    void aClientReadingTheTargetMakesItInUseAndTheTargetKeepsItsBytes() throws IOException {
        byte[] stale = TestSite.bytes(1000, 99);
        Files.write(onDisk("caps", cap), stale);

        try (SmbClient client = new SmbClient(samba, "caps").holdForReading(cap + "/clidata.box/client.lkp")) {
            CopyOutcome outcome = copier.attempt(source, target("caps", cap));

            assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.IN_USE);
            assertThat(outcome.reason()).contains("STATUS_SHARING_VIOLATION");
            assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(stale);
            assertThat(strayFiles("caps", cap)).isEmpty();

            client.release();
            assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        }
        assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(Files.readAllBytes(source.path()));
    }

    @Test
    void aByteRangeLockOnTheTargetMakesItInUse() throws IOException {
        byte[] stale = TestSite.bytes(1000, 99);
        Files.write(onDisk("caps", cap), stale);
        // The locking client opens it for writing too, as guest.
        Files.setPosixFilePermissions(onDisk("caps", cap), java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));

        try (SmbClient client = new SmbClient(samba, "caps").lockRange(cap + "/clidata.box/client.lkp", stale.length)) {
            CopyOutcome outcome = copier.attempt(source, target("caps", cap));

            assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.IN_USE);
            assertThat(outcome.reason()).containsAnyOf("STATUS_FILE_LOCK_CONFLICT", "STATUS_LOCK_NOT_GRANTED");
        }
        assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(stale);
        assertThat(strayFiles("caps", cap)).isEmpty();
    }

    @Test
    void aWrongPasswordFailsWithoutNamingItAndIsNotTriedAgain() {
        samba.folder("private", cap + "/clidata.box");
        String wrong = "wrong-Pa55-9931";
        samba.folder("private", cap + "-2/clidata.box");
        // A pool of two: the second CAP is dealt to the other connection, which must not try the password again.
        try (SmbSessions user = new SmbSessions(new SmbCredentials("", SambaServer.USER, wrong, "test"), 2)) {
            TargetCopier userCopier = new TargetCopier(List.of(new SmbTransport(user)));
            CopyOutcome first = userCopier.attempt(source, target("private", cap));
            CopyOutcome second = userCopier.attempt(source, target("private", cap + "-2"));

            assertThat(first.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
            assertThat(first.reason()).contains("logon to smb://127.0.0.1:" + samba.port() + " as " + SambaServer.USER + " refused")
                    .contains("STATUS_LOGON_FAILURE").doesNotContain(wrong);
            assertThat(second.reason()).isEqualTo(first.reason());
            assertThat(user.sessionsOpened()).isZero();
            assertThat(user.credentials().toString()).doesNotContain(wrong);
        }
    }

    @Test
    void aMissingShareFolderOrServerFailsWithAReasonNamingIt() throws IOException {
        CopyOutcome noShare = copier.attempt(source, target("nosuchshare", cap));
        assertThat(noShare.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
        assertThat(noShare.reason()).contains("share 'nosuchshare' not found on smb://127.0.0.1:" + samba.port());

        CopyOutcome noFolder = copier.attempt(source, target("caps", cap + "-missing"));
        assertThat(noFolder.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
        assertThat(noFolder.reason()).contains("CAP folder").contains(cap + "-missing").contains("not found");
        samba.folder("caps", cap + "-nobox");
        CopyOutcome noBox = copier.attempt(source, target("caps", cap + "-nobox"));
        assertThat(noBox.reason()).contains("target folder").contains(cap + "-nobox/clidata.box").contains("not found");

        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        TargetFile nowhere = TargetFile.of("CAP_X", "smb://127.0.0.1:" + closedPort + "/caps/" + cap, "clidata.box", "client.lkp", "client-lkp");
        CopyOutcome noServer = copier.attempt(source, nowhere);
        assertThat(noServer.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
        assertThat(noServer.reason()).contains("cannot connect to smb://127.0.0.1:" + closedPort);
    }

    @Test
    void reconnectsOnceAfterTheServerRestarted() throws IOException {
        assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        Files.write(onDisk("caps", cap), TestSite.bytes(1000, 99));

        samba.stop();
        samba.start();

        assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(sessions.sessionsOpened()).isEqualTo(2);
        assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(Files.readAllBytes(source.path()));
    }

    @Test
    void manyCapsOnOneServerShareOneSessionAcrossThreads() throws Exception {
        copyAll(copier, caps(cap, 50), 8);

        assertThat(sessions.sessionsOpened()).isEqualTo(1);
        for (int i = 1; i <= 50; i++) {
            assertThat(Files.readAllBytes(samba.sharePath("caps").resolve(cap + "/CAP_" + i + "/clidata.box/client.lkp")))
                    .isEqualTo(Files.readAllBytes(source.path()));
        }
    }

    /**
     * The date's SET_INFO shares the read-back's round trip: every copy carries the source's date once its attempt has
     * returned, though Samba writes apart from the request (asynchronous I/O) and many copies run at once.
     */
    @Test
    void everyCopyCarriesTheSourcesDateThoughSambaWritesApartFromTheRequest() throws Exception {
        Files.write(dir.resolve("inbox/big.lkp"), TestSite.bytes(2 * 1024 * 1024 + 4321, 11));
        Files.setLastModifiedTime(dir.resolve("inbox/big.lkp"), FileTime.fromMillis(1_500_000_000_000L));
        SourceFile big = sourceFile(dir.resolve("inbox/big.lkp"));
        List<TargetFile> targets = caps(cap, 24);
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Future<CopyOutcome>> outcomes = new ArrayList<>();
            for (TargetFile target : targets) {
                outcomes.add(threads.submit(() -> copier.attempt(big, target)));
                outcomes.add(threads.submit(() -> copier.attempt(source, target("caps", cap))));
            }
            for (Future<CopyOutcome> outcome : outcomes) {
                assertThat(outcome.get().kind()).as(String.valueOf(outcome.get().reason()))
                        .isIn(CopyOutcome.Kind.COPIED, CopyOutcome.Kind.UNCHANGED, CopyOutcome.Kind.IN_USE);
            }
        } finally {
            threads.shutdownNow();
        }
        for (int i = 1; i <= 24; i++) {
            Path copy = samba.sharePath("caps").resolve(cap + "/CAP_" + i + "/clidata.box/client.lkp");
            assertThat(Files.getLastModifiedTime(copy).toMillis()).as(copy.toString()).isEqualTo(1_500_000_000_000L);
            assertThat(Files.size(copy)).isEqualTo(big.digest().size());
        }
        assertThat(Files.getLastModifiedTime(onDisk("caps", cap)).toMillis()).isEqualTo(1_600_000_000_000L);
    }

    @Test
    void aTargetHoldingTheSnapshotIsLeftAloneButOneWithAByteMoreOrLessIsReplaced() throws Exception {
        byte[] bytes = Files.readAllBytes(source.path());
        Files.write(onDisk("caps", cap), bytes);
        assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);

        for (byte[] other : List.of(java.util.Arrays.copyOf(bytes, bytes.length + 1), java.util.Arrays.copyOf(bytes, bytes.length - 1))) {
            Files.write(onDisk("caps", cap), other);
            assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
            assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(bytes);
        }
        // digest() still reads the whole target, as verify's audit needs.
        Files.write(onDisk("caps", cap), java.util.Arrays.copyOf(bytes, bytes.length + 5000));
        assertThat(new SmbTransport(sessions).digest(target("caps", cap)).orElseThrow().size()).isEqualTo(bytes.length + 5000);
    }

    /**
     * The target's date decides only whether its temp file is made while the target is read (a round trip less): a
     * target with the snapshot's bytes and another date is left alone, and the temp file made for it goes again; one
     * with the snapshot's date and other bytes is replaced all the same.
     */
    @Test
    void theTargetsBytesDecideWhateverItsDateSays() throws IOException {
        byte[] bytes = Files.readAllBytes(source.path());
        FileTime anotherDay = FileTime.fromMillis(1_500_000_000_000L);
        Files.write(onDisk("caps", cap), bytes);
        Files.setLastModifiedTime(onDisk("caps", cap), anotherDay);

        assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
        assertThat(Files.getLastModifiedTime(onDisk("caps", cap))).isEqualTo(anotherDay);
        assertThat(strayFiles("caps", cap)).isEmpty();

        byte[] other = bytes.clone();
        other[other.length / 2] ^= 1;
        Files.write(onDisk("caps", cap), other);
        Files.setLastModifiedTime(onDisk("caps", cap), source.lastModified());

        assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(bytes);
        assertThat(strayFiles("caps", cap)).isEmpty();
    }

    /**
     * A CAP that is a share of its own, with no target folder: the file goes to the share's root, opened as a folder like
     * any other (a share's root is no link of capsync's concern), and is replaced, then left alone, with nothing beside it.
     */
    @Test
    void aShareWithNoTargetFolderTakesTheFileAtItsRoot() throws IOException {
        TargetFile atRoot = TargetFile.of(cap, samba.url("root", ""), "", "client.lkp", "client-lkp");
        Path onDisk = samba.sharePath("root").resolve("client.lkp");
        Files.write(onDisk, TestSite.bytes(1000, 99));

        assertThat(copier.attempt(source, atRoot).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(Files.readAllBytes(onDisk)).isEqualTo(Files.readAllBytes(source.path()));
        assertThat(copier.attempt(source, atRoot).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
        try (var files = Files.list(samba.sharePath("root"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("client.lkp");
        }
    }

    /**
     * A folder where the server lets no file be made (here: read-only to the guest) refuses the temp file made ahead
     * for a target of another date; that matters only when the target needs the snapshot. A current target stays
     * current; a stale one fails with the server's word and keeps its bytes.
     */
    @Test
    void aFolderThatTakesNoNewFileLeavesACurrentTargetCurrentAndFailsAStaleOne() throws IOException {
        Path box = onDisk("caps", cap).getParent();
        Files.write(onDisk("caps", cap), Files.readAllBytes(source.path()));
        Files.setLastModifiedTime(onDisk("caps", cap), FileTime.fromMillis(1_500_000_000_000L));
        Files.setPosixFilePermissions(box, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);

            byte[] stale = TestSite.bytes(1000, 99);
            Files.write(onDisk("caps", cap), stale);
            CopyOutcome refused = copier.attempt(source, target("caps", cap));

            assertThat(refused.kind()).as(String.valueOf(refused.reason())).isEqualTo(CopyOutcome.Kind.FAILED);
            assertThat(refused.reason()).contains("STATUS_ACCESS_DENIED").contains(cap);
            assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(stale);
            assertThat(strayFiles("caps", cap)).isEmpty();
        } finally {
            Files.setPosixFilePermissions(box, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        }
    }

    @Test
    void aPoolUsesSeveralConnectionsAtOnceEachLoggedOnOnce() throws Exception {
        List<TargetFile> targets = caps(cap, 24);
        try (SmbSessions pool = new SmbSessions(SmbCredentials.GUEST, 3)) {
            TargetCopier poolCopier = new TargetCopier(List.of(new SmbTransport(pool)));
            copyAll(poolCopier, targets, 8);

            assertThat(pool.sessionsOpened()).isEqualTo(3);
            assertThat(pool.connectionsOpen()).isEqualTo(3);
            assertThat(samba.sessionProcesses()).hasSize(3);
            Files.write(dir.resolve("inbox/client.lkp"), TestSite.bytes(200 * 1024, 8));
            SourceFile newer = sourceFile(dir.resolve("inbox/client.lkp"));
            copyAll(poolCopier, targets, 8, newer);
            assertThat(pool.sessionsOpened()).isEqualTo(3);
        }
        // Logged off at close: the server serves none of them any more.
        assertThat(waitFor(() -> samba.sessionProcesses().isEmpty())).isTrue();
        for (TargetFile target : targets) {
            assertThat(Files.readAllBytes(samba.sharePath("caps").resolve(cap + "/" + target.capName() + "/clidata.box/client.lkp")))
                    .isEqualTo(Files.readAllBytes(dir.resolve("inbox/client.lkp")));
            assertThat(strayFiles("caps", cap + "/" + target.capName())).isEmpty();
        }
    }

    @Test
    void aConnectionOfThePoolDroppedMidRunIsReplacedAndTheOthersCarryOn() throws Exception {
        List<TargetFile> targets = caps(cap, 8);
        try (SmbSessions pool = new SmbSessions(SmbCredentials.GUEST, 2)) {
            TargetCopier poolCopier = new TargetCopier(List.of(new SmbTransport(pool)));
            copyAll(poolCopier, targets, 4);
            List<Long> served = samba.sessionProcesses();
            assertThat(served).hasSize(2);

            samba.dropConnection(served.get(0));
            Files.write(dir.resolve("inbox/client.lkp"), TestSite.bytes(200 * 1024, 9));
            copyAll(poolCopier, targets, 4, sourceFile(dir.resolve("inbox/client.lkp")));

            assertThat(pool.sessionsOpened()).isEqualTo(3);
            assertThat(pool.connectionsOpen()).isEqualTo(2);
            List<Long> now = samba.sessionProcesses();
            assertThat(now).hasSize(2).contains(served.get(1)).doesNotContain(served.get(0));
        }
        for (TargetFile target : targets) {
            assertThat(Files.readAllBytes(samba.sharePath("caps").resolve(cap + "/" + target.capName() + "/clidata.box/client.lkp")))
                    .isEqualTo(Files.readAllBytes(dir.resolve("inbox/client.lkp")));
            assertThat(strayFiles("caps", cap + "/" + target.capName())).isEmpty();
        }
    }

    @Test
    void aLogonRefusedOnTheSecondConnectionLeavesItsCapsToTheFirstAndIsNotTriedAgain() throws Exception {
        List<TargetFile> targets = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            samba.folder("private", cap + "/CAP_" + i + "/clidata.box");
            targets.add(TargetFile.of("CAP_" + i, samba.url("private", cap + "/CAP_" + i), "clidata.box", "client.lkp", "client-lkp"));
        }
        try (SmbSessions pool = new SmbSessions(new SmbCredentials("", SambaServer.USER, SambaServer.PASSWORD, "test"), 2)) {
            TargetCopier poolCopier = new TargetCopier(List.of(new SmbTransport(pool)));
            assertThat(poolCopier.attempt(source, targets.get(0)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
            samba.setPassword("changed-Pa55-1234");
            try {
                // CAP_2 is dealt to the second connection, whose logon is refused: it goes over the first.
                for (TargetFile target : targets.subList(1, 4)) {
                    CopyOutcome outcome = poolCopier.attempt(source, target);
                    assertThat(outcome.kind()).as(String.valueOf(outcome.reason())).isEqualTo(CopyOutcome.Kind.COPIED);
                }
                assertThat(pool.sessionsOpened()).isEqualTo(1);
                assertThat(pool.connectionsOpen()).isEqualTo(1);
                assertThat(samba.sessionProcesses()).hasSize(1);
            } finally {
                samba.setPassword(SambaServer.PASSWORD);
            }
        }
        for (int i = 1; i <= 4; i++) {
            assertThat(Files.readAllBytes(samba.sharePath("private").resolve(cap + "/CAP_" + i + "/clidata.box/client.lkp")))
                    .isEqualTo(Files.readAllBytes(source.path()));
        }
    }

    private static List<TargetFile> caps(String parent, int count) {
        List<TargetFile> targets = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String folder = parent + "/CAP_" + i;
            samba.folder("caps", folder + "/clidata.box");
            targets.add(TargetFile.of("CAP_" + i, samba.url("caps", folder), "clidata.box", "client.lkp", "client-lkp"));
        }
        return targets;
    }

    private void copyAll(TargetCopier with, List<TargetFile> targets, int threads) throws Exception {
        copyAll(with, targets, threads, source);
    }

    private static void copyAll(TargetCopier with, List<TargetFile> targets, int threads, SourceFile from) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<CopyOutcome>> outcomes = new ArrayList<>();
            for (TargetFile target : targets) {
                outcomes.add(pool.submit(() -> with.attempt(from, target)));
            }
            for (Future<CopyOutcome> outcome : outcomes) {
                assertThat(outcome.get().kind()).as(String.valueOf(outcome.get().reason())).isEqualTo(CopyOutcome.Kind.COPIED);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void sessionsAndSharesOpenedAheadAreTheOnesTheCopiesUse() throws Exception {
        String other = cap + "-2";
        samba.folder("caps", other + "/clidata.box");
        sessions.connectAhead(List.of(SmbLocation.parse(samba.url("caps", cap)), SmbLocation.parse(samba.url("caps", other))), 2);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sessions.sessionsOpened() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(sessions.sessionsOpened()).isEqualTo(1);
        while (sessions.sharesConnected() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        assertThat(copier.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(copier.attempt(source, target("caps", other)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(sessions.sessionsOpened()).isEqualTo(1);
        assertThat(sessions.sharesConnected()).as("the share connected ahead is the one the copies use").isEqualTo(1);
    }

    @Test
    void aServerThatCannotBeReachedAheadFailsItsCapsWithTheUsualReason() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "smb://127.0.0.1:" + closedPort + "/caps/" + cap;
        sessions.connectAhead(List.of(SmbLocation.parse(url)), 1);

        CopyOutcome outcome = copier.attempt(source, TargetFile.of("CAP_X", url, "clidata.box", "client.lkp", "client-lkp"));
        assertThat(outcome.kind()).isEqualTo(CopyOutcome.Kind.FAILED);
        assertThat(outcome.reason()).contains("cannot connect to smb://127.0.0.1:" + closedPort);
        sessions.close();
        sessions.close(); // a second close does nothing
    }

    @Test
    void theLockTokenStandsWhileUpdatingAndGoesOnceAClientLetsGoOfIt() throws Exception {
        TargetCopier withToken = new TargetCopier(List.of(new SmbTransport(sessions)),
                new LockToken("client-lkp", 10, Duration.ofMillis(100)));
        String token = cap + "/clidata.box/" + LockToken.NAME;
        AtomicBoolean seen = new AtomicBoolean();
        // capsync reaches the CAP through a slow link and the client directly: the token then stands for at least the
        // update's round trips of 20 ms, long whatever the machine's load, while the client looks every 2 ms.
        try (DelayingProxy link = new DelayingProxy(new InetSocketAddress(samba.host(), samba.port()), 10);
             SmbClient client = new SmbClient(samba, "caps")) {
            // Like an SMS client, it opens the token as soon as it appears (without delete sharing) and holds it a while.
            Thread watcher = new Thread(() -> {
                if (client.holdForReadingWhenItAppears(token, Duration.ofSeconds(20))) {
                    seen.set(true);
                    client.releaseAfter(Duration.ofMillis(1500));
                }
            });
            watcher.start();
            Files.write(dir.resolve("inbox/big"), TestSite.bytes(8 * 1024 * 1024, 3));
            CopyOutcome outcome = withToken.attempt(sourceFile(dir.resolve("inbox/big")),
                    TargetFile.of(cap, "smb://127.0.0.1:" + link.port() + "/caps/" + cap, "clidata.box", "client.lkp", "client-lkp"));
            long ended = System.nanoTime();
            watcher.join();

            assertThat(outcome.kind()).as(String.valueOf(outcome.reason())).isEqualTo(CopyOutcome.Kind.COPIED);
            assertThat(seen).as("the client found the token during the update").isTrue();
            assertThat(client.releasedAtNanos()).as("the client let go of the token").isPositive();
            assertThat(ended).as("the removal waited for the client").isGreaterThan(client.releasedAtNanos());
            assertThat(Files.exists(samba.sharePath("caps").resolve(token))).isFalse();
        }
    }

    @Test
    void aTokenThisJobLeftIsRemovedAndAnotherWritersTokenMeansInUse() throws IOException {
        TargetCopier withToken = new TargetCopier(List.of(new SmbTransport(sessions)), new LockToken("client-lkp"));
        Path token = samba.sharePath("caps").resolve(cap + "/clidata.box/" + LockToken.NAME);
        assertThat(withToken.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.COPIED);

        Files.writeString(token, "capsync job=client-lkp\r\nwritten by a run that died\r\n");
        assertThat(withToken.attempt(source, target("caps", cap)).kind()).isEqualTo(CopyOutcome.Kind.UNCHANGED);
        assertThat(token).doesNotExist();

        Files.writeString(token, "SMS Inbox Manager\r\n");
        CopyOutcome foreign = withToken.attempt(source, target("caps", cap));
        assertThat(foreign.kind()).isEqualTo(CopyOutcome.Kind.IN_USE);
        assertThat(foreign.reason()).contains(LockToken.NAME).contains("another writer");
        assertThat(token).exists();
    }

    /**
     * What capsync will and won't write at an SMB CAP (docs/safety.md), one row per planted thing: links placed in the
     * share (Samba resolves them itself and shows no reparse point) never make capsync write outside the CAP folder,
     * and what stands where a folder is expected is named.
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> plantedThings() {
        return java.util.stream.Stream.of(
                planted("the earlier fixed temp name is a link to a file outside the CAP", false,
                        (box, outside) -> Files.createSymbolicLink(box.resolve(".client.lkp.client-lkp.capsync-tmp"), outside.resolve("precious.txt")),
                        CopyOutcome.Kind.COPIED, null),
                planted("the lock token is a dangling link to a name outside the CAP", true,
                        (box, outside) -> Files.createSymbolicLink(box.resolve(LockToken.NAME), outside.resolve("token")),
                        CopyOutcome.Kind.FAILED, "a dangling link?"),
                planted("the target folder is a file", false,
                        (box, outside) -> { Files.delete(box); Files.write(box, new byte[] {1}); },
                        CopyOutcome.Kind.FAILED, "clidata.box is a file, not a folder"),
                planted("the CAP path is a file", false,
                        (box, outside) -> { Files.delete(box); Files.delete(box.getParent()); Files.write(box.getParent(), new byte[] {1}); },
                        CopyOutcome.Kind.FAILED, "is a file, not a folder"));
    }

    interface Plant {
        void into(Path box, Path outside) throws IOException;
    }

    private static org.junit.jupiter.params.provider.Arguments planted(String name, boolean lockToken, Plant plant,
            CopyOutcome.Kind kind, String reason) {
        return org.junit.jupiter.params.provider.Arguments.of(name, lockToken, plant, kind, reason);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("plantedThings")
    void nothingOutsideTheCapFolderIsTouched(String name, boolean lockToken, Plant plant, CopyOutcome.Kind kind,
            String reason) throws IOException {
        String capFolder = "planted-" + Integer.toHexString(name.hashCode());
        Path box = samba.folder("caps", capFolder + "/clidata.box");
        Path outside = samba.folder("caps", capFolder + "-outside");
        Files.writeString(outside.resolve("precious.txt"), "capsync must never write here\n");
        plant.into(box, outside);
        TargetCopier planted = lockToken ? new TargetCopier(List.of(new SmbTransport(sessions)), new LockToken("client-lkp"))
                : copier;

        CopyOutcome outcome = planted.attempt(source, target("caps", capFolder));

        assertThat(outcome.kind()).as(String.valueOf(outcome.reason())).isEqualTo(kind);
        if (reason != null) {
            assertThat(outcome.reason()).contains(reason);
        }
        try (var files = Files.list(outside)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("precious.txt");
        }
        assertThat(Files.readString(outside.resolve("precious.txt"))).isEqualTo("capsync must never write here\n");
        if (kind == CopyOutcome.Kind.COPIED) {
            assertThat(Files.readAllBytes(onDisk("caps", capFolder))).isEqualTo(Files.readAllBytes(source.path()));
            assertThat(strayFiles("caps", capFolder)).isEmpty();
        }
    }

    /**
     * Links in a share that lead out of it, to a folder anyone may write: Samba (its default {@code wide links = no})
     * does not follow them, so the CAP fails, and nothing outside the share is written, whatever the link stands for.
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> linksOutOfTheShare() {
        return java.util.stream.Stream.of(
                outOfTheShare("the target folder is a link to a folder out of the share",
                        (box, outside) -> { Files.delete(box); Files.createSymbolicLink(box, outside); }),
                outOfTheShare("the target is a link to a file out of the share",
                        (box, outside) -> Files.createSymbolicLink(box.resolve("client.lkp"), outside.resolve("client.lkp"))),
                outOfTheShare("the CAP path is a link to a folder out of the share",
                        (box, outside) -> {
                            Files.delete(box);
                            Files.delete(box.getParent());
                            Files.setPosixFilePermissions(Files.createDirectories(outside.resolve("clidata.box")),
                                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
                            Files.createSymbolicLink(box.getParent(), outside);
                        }),
                outOfTheShare("the target is a dangling link out of the share",
                        (box, outside) -> Files.createSymbolicLink(box.resolve("client.lkp"), outside.resolve("gone"))));
    }

    private static org.junit.jupiter.params.provider.Arguments outOfTheShare(String name, Plant plant) {
        return org.junit.jupiter.params.provider.Arguments.of(name, plant);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("linksOutOfTheShare")
    void aLinkOutOfTheShareFailsTheCapAndNothingOutsideIsWritten(String name, Plant plant) throws IOException {
        String capFolder = "out-" + Integer.toHexString(name.hashCode());
        Path box = samba.folder("caps", capFolder + "/clidata.box");
        Path outside = Files.createDirectories(samba.sharePath("caps").resolveSibling("outside-" + capFolder));
        Files.writeString(outside.resolve("client.lkp"), "capsync must never write here\n");
        Files.setPosixFilePermissions(outside, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(outside.resolve("client.lkp"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        plant.into(box, outside);

        CopyOutcome outcome = copier.attempt(source, target("caps", capFolder));

        assertThat(outcome.kind()).as(String.valueOf(outcome.reason())).isEqualTo(CopyOutcome.Kind.FAILED);
        assertThat(outcome.reason()).contains(capFolder);
        try (var files = Files.walk(outside)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> outside.relativize(p).toString()).toList())
                    .containsExactly("client.lkp");
        }
        assertThat(Files.readString(outside.resolve("client.lkp"))).isEqualTo("capsync must never write here\n");
    }

    /**
     * A read-only target on a Samba share (mode 0444, shown to clients as the DOS read-only attribute) that no one
     * holds is replaced (a held one is in use: the DELETE probe above), and the new file's attributes are the share's.
     */
    @Test
    void aReadOnlyTargetNoOneHoldsIsReplaced() throws IOException {
        Files.write(onDisk("caps", cap), TestSite.bytes(1000, 99));
        Files.setPosixFilePermissions(onDisk("caps", cap), java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));

        CopyOutcome outcome = copier.attempt(source, target("caps", cap));

        assertThat(outcome.kind()).as(String.valueOf(outcome.reason())).isEqualTo(CopyOutcome.Kind.COPIED);
        assertThat(Files.readAllBytes(onDisk("caps", cap))).isEqualTo(Files.readAllBytes(source.path()));
    }

    private TargetFile target(String share, String capFolder) {
        return TargetFile.of(capFolder, samba.url(share, capFolder), "clidata.box", "client.lkp", "client-lkp");
    }

    private static Path onDisk(String share, String capFolder) {
        return samba.sharePath(share).resolve(capFolder).resolve("clidata.box").resolve("client.lkp");
    }

    private static List<Path> strayFiles(String share, String capFolder) throws IOException {
        try (var files = Files.walk(samba.sharePath(share).resolve(capFolder))) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("client.lkp")).toList();
        }
    }

    static SourceFile sourceFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new SourceFile(file.getFileName().toString(), file, FileDigest.of(in), Files.getLastModifiedTime(file));
        }
    }
}

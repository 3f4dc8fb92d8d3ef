package org.capsync.copy.smb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.capsync.support.Cli;
import org.capsync.support.Repository;
import org.capsync.support.SambaServer;
import org.capsync.support.SmbClient;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code capsync run} through the real command line, in this JVM, on smb:// CAPs of a real Samba server, with real
 * second SMB clients holding files. One Samba server for the class; every test has its own site, shares' folders and
 * CAPSYNC_HOME.
 */
class SmbJobTest {

    static final String RETRY = "{ attempts: 4, delay: 1s, multiplier: 1, max-delay: 1s }";

    @RegisterExtension
    static final SambaServer samba = SambaServer.forTestClass().guestShare("caps").guestShare("caps2").guestShare("caps3")
                .userShare("private").build();

    @TempDir
    Path dir;

    @Test
    void copiesToAGuestShareAndAUserShareWithTheCredentialsFile() throws Exception {
        TestSite site = site("t1").addSmbCap("GUEST_CAP", samba, "caps").addSmbCap("USER_CAP", samba, "private");
        Path credentials = credentials("user=" + SambaServer.USER + "\npassword=" + SambaServer.PASSWORD + "\n");
        site.extraJobLines("credentials: " + credentials + "\n");

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lastLine()).startsWith("client-lkp: 2 copied, 0 unchanged, 0 skipped, 0 failed");
        assertThat(site.capBytes("GUEST_CAP")).isEqualTo(site.sourceBytes());
        assertThat(site.capBytes("USER_CAP")).isEqualTo(site.sourceBytes());
        // The run's snapshot keeps the source's time to the millisecond; SMB carries it in 100 ns ticks.
        assertThat(Files.getLastModifiedTime(site.capFile("USER_CAP")).toMillis())
                .isEqualTo(Files.getLastModifiedTime(site.root().resolve("inbox/client.lkp")).toMillis());
        assertThat(site.strayFilesAtCaps()).isEmpty();
        assertPasswordNowhere(site, result, SambaServer.PASSWORD);

        Cli.Result again = Cli.run(site, "run", "job.yml");
        assertThat(again.lastLine()).startsWith("client-lkp: 0 copied, 2 unchanged, 0 skipped, 0 failed");
    }

    @Test
    void takesTheAccountFromTheEnvironmentAndGuestWithoutOne() throws Exception {
        TestSite site = site("t2").addSmbCap("USER_CAP", samba, "private").writeJob();
        Map<String, String> env = Map.of(SmbCredentials.ENV_USER, SambaServer.USER, SmbCredentials.ENV_PASSWORD, SambaServer.PASSWORD);

        Cli.Result asGuest = Cli.run(site, Map.of(SmbCredentials.ENV_USER, "", SmbCredentials.ENV_PASSWORD, ""), "run", "job.yml");
        assertThat(asGuest.exitCode()).as(asGuest.err()).isEqualTo(3);
        assertThat(asGuest.lastLine()).startsWith("client-lkp: 0 copied, 0 unchanged, 0 skipped, 1 failed");
        assertThat(lastError(site, "USER_CAP")).contains("smb://127.0.0.1:" + samba.port());

        Cli.Result asUser = Cli.run(site, env, "run", "job.yml");
        assertThat(asUser.exitCode()).as(asUser.err()).isZero();
        assertThat(site.capBytes("USER_CAP")).isEqualTo(site.sourceBytes());
        assertPasswordNowhere(site, asUser, SambaServer.PASSWORD);
    }

    @Test
    void aClientThatLetsGoIsRetriedAndOneThatHoldsOnIsSkipped() throws Exception {
        TestSite site = site("t3").retry(RETRY)
                .addSmbCap("LETS_GO", samba, "caps").addSmbCap("HOLDS_ON", samba, "caps")
                .addSmbCap("LOCKED_A_WHILE", samba, "caps").addSmbCap("FREE", samba, "caps").writeJob();
        byte[] stale = TestSite.bytes(1000, 99);
        for (String cap : site.caps()) {
            Files.write(site.capFile(cap), stale);
            Files.setPosixFilePermissions(site.capFile(cap), PosixFilePermissions.fromString("rw-rw-rw-"));
        }
        try (SmbClient letsGo = new SmbClient(samba, "caps").holdForReading("LETS_GO/clidata.box/client.lkp");
             SmbClient holdsOn = new SmbClient(samba, "caps").holdForReading("HOLDS_ON/clidata.box/client.lkp");
             SmbClient locker = new SmbClient(samba, "caps").lockRange("LOCKED_A_WHILE/clidata.box/client.lkp", stale.length)) {
            // Both let go a while after capsync first found them (starting capsync takes a few seconds).
            Thread releaser = whenLogged(site, "client-lkp LETS_GO client.lkp: in use", () -> {
                letsGo.releaseAfter(Duration.ofMillis(1500));
                locker.releaseAfter(Duration.ofMillis(1500));
            });

            Cli.Result result = Cli.run(site, "run", "job.yml");
            releaser.join();

            assertThat(result.exitCode()).as(result.err()).isEqualTo(3);
            assertThat(result.lastLine()).startsWith("client-lkp: 3 copied, 0 unchanged, 1 skipped, 0 failed")
                    .contains("COMPLETED_WITH_SKIPS");
            assertThat(site.capBytes("HOLDS_ON")).isEqualTo(stale);
        }
        for (String cap : new String[] {"LETS_GO", "LOCKED_A_WHILE", "FREE"}) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(site.sourceBytes());
        }
        assertThat(lastError(site, "HOLDS_ON")).contains("STATUS_SHARING_VIOLATION");
        assertThat(attempts(site, "HOLDS_ON")).isEqualTo(4);
        assertThat(attempts(site, "LETS_GO")).isBetween(2, 4);
        assertThat(attemptReasons(site, "LOCKED_A_WHILE")).containsAnyOf("STATUS_FILE_LOCK_CONFLICT", "STATUS_LOCK_NOT_GRANTED");
        assertThat(site.strayFilesAtCaps()).as("no temp file left on the share").isEmpty();
        assertThat(log(site)).contains("client-lkp HOLDS_ON client.lkp: in use (STATUS_SHARING_VIOLATION");
    }

    @Test
    void aWrongPasswordFailsItsCapsAndAppearsInNoOutputLogOrRepositoryRow() throws Exception {
        String wrong = "Wr0ng-Passw0rd#5521";
        TestSite site = site("t4").addSmbCap("USER_CAP", samba, "private").addSmbCap("GUEST_CAP", samba, "caps");
        site.addCap("LOCAL_CAP").writeJob();
        site.extraJobLines("credentials: " + credentials("domain=CAPSYNC\nuser=" + SambaServer.USER + "\npassword=" + wrong + "\n") + "\n");

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.lastLine()).startsWith("client-lkp: 1 copied, 0 unchanged, 0 skipped, 2 failed");
        assertThat(site.capBytes("LOCAL_CAP")).isEqualTo(site.sourceBytes());
        assertThat(lastError(site, "USER_CAP")).contains("logon to smb://127.0.0.1:" + samba.port() + " as CAPSYNC\\" + SambaServer.USER + " refused")
                .contains("STATUS_LOGON_FAILURE");
        assertThat(attempts(site, "USER_CAP")).as("a refused logon is not retried").isEqualTo(1);
        assertPasswordNowhere(site, result, wrong);
    }

    @Test
    void aCredentialsFileOthersCanReadIsRefusedBeforeAnythingIsCopied() throws Exception {
        TestSite site = site("t5").addSmbCap("GUEST_CAP", samba, "caps").writeJob();
        Path credentials = credentials("user=x\npassword=" + SambaServer.PASSWORD + "\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-r--r--"));
        site.extraJobLines("credentials: " + credentials + "\n");

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(credentials.toString()).contains("readable or writable by group or others")
                .doesNotContain(SambaServer.PASSWORD);
        assertThat(site.capFile("GUEST_CAP")).doesNotExist();
    }

    @Test
    void aPasswordInTheCapListIsRefusedNamingTheLineNotThePassword() {
        TestSite site = site("t6");
        TestSite.write(site.capsFile(), "name,path\nCAP_A,smb://admin:Hunter2@127.0.0.1/caps\n");

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("caps.csv:2").contains("must not carry a user or password").doesNotContain("Hunter2");
    }

    @Test
    void theServerStoppingMidRunFailsItsRemainingCapsTheJobGoesOnAndTheNextRunFinishes() throws Exception {
        TestSite site = site("t7").threads(1);
        for (int i = 1; i <= 30; i++) {
            site.addSmbCap(String.format("SMB_%02d", i), samba, "caps");
        }
        site.addCap("LOCAL_LAST").writeJob();
        Path fifth = site.capFile("SMB_05");
        AtomicBoolean stopped = new AtomicBoolean();
        Thread stopper = new Thread(() -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            try {
                while (!Files.exists(fifth) && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            samba.stop();
            stopped.set(true);
        });
        stopper.start();
        Cli.Result first;
        try {
            first = Cli.run(site, "run", "job.yml");
        } finally {
            stopper.join();
            samba.start();
        }

        assertThat(stopped).isTrue();
        assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(3);
        Matcher counts = Pattern.compile("client-lkp: (\\d+) copied, 0 unchanged, 0 skipped, (\\d+) failed").matcher(first.lastLine());
        assertThat(counts.find()).as(first.lastLine()).isTrue();
        int copied = Integer.parseInt(counts.group(1));
        int failed = Integer.parseInt(counts.group(2));
        assertThat(copied + failed).isEqualTo(31);
        assertThat(copied).as("SMB_01..SMB_05 and the local CAP").isGreaterThanOrEqualTo(6);
        assertThat(failed).isGreaterThanOrEqualTo(1);
        assertThat(site.capBytes("LOCAL_LAST")).as("the job went on past the dead server").isEqualTo(site.sourceBytes());
        assertThat(lastError(site, "SMB_30")).contains("smb://127.0.0.1:" + samba.port());

        Cli.Result second = Cli.run(site, "run", "job.yml");

        assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
        assertThat(second.lastLine()).startsWith("client-lkp: " + failed + " copied, " + copied + " unchanged, 0 skipped, 0 failed");
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(site.sourceBytes());
        }
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    @Test
    void withLockTokenOnATokenLeftByADeadRunIsRemovedAndNoneStaysBehind() throws Exception {
        TestSite site = site("t9").addSmbCap("SMB_CAP", samba, "caps").addCap("LOCAL_CAP").writeJob()
                .extraJobLines("lock-token: true\n");
        Path stale = site.capFile("SMB_CAP").resolveSibling("Inboxlck.tok");
        Files.writeString(stale, "capsync job=client-lkp\r\nwritten by a run that was killed\r\n");

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lastLine()).startsWith("client-lkp: 2 copied");
        assertThat(stale).doesNotExist();
        assertThat(site.capFile("LOCAL_CAP").resolveSibling("Inboxlck.tok")).doesNotExist();
        assertThat(site.strayFilesAtCaps()).isEmpty();
        assertThat(log(site)).contains("SMB_CAP client.lkp: removing the Inboxlck.tok an earlier run left");
    }

    @Test
    void fiftyCapsOnOneServerWithEightThreadsShareTheDefaultPoolOfTwoSessions() throws Exception {
        TestSite site = site("t8").threads(8);
        String[] shares = {"caps", "caps2", "caps3"};
        for (int i = 1; i <= 50; i++) {
            site.addSmbCap(String.format("MANY_%02d", i), samba, shares[i % shares.length]);
        }
        site.writeJob();

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lastLine()).startsWith("client-lkp: 50 copied, 0 unchanged, 0 skipped, 0 failed");
        for (String cap : site.caps()) {
            assertThat(site.capBytes(cap)).as(cap).isEqualTo(site.sourceBytes());
        }
        String opened = "smb: session to smb://127.0.0.1:" + samba.port() + " as guest opened";
        assertThat(log(site).lines().filter(line -> line.contains(opened)).count()).isEqualTo(2);
    }

    @Test
    void smbConnectionsInTheJobFileSetsTheSessionsPerServer() throws Exception {
        TestSite site = site("pool").threads(4).extraJobLines("smb-connections: 3\n");
        for (int i = 1; i <= 6; i++) {
            site.addSmbCap(String.format("POOL_%02d", i), samba, "caps");
        }
        site.writeJob();

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lastLine()).startsWith("client-lkp: 6 copied, 0 unchanged, 0 skipped, 0 failed");
        String opened = "smb: session to smb://127.0.0.1:" + samba.port() + " as guest opened";
        assertThat(log(site).lines().filter(line -> line.contains(opened)).count()).isEqualTo(3);
        assertThat(site.strayFilesAtCaps()).isEmpty();
    }

    /** Runs {@code action} once the job's log has a line containing {@code text} (polling; gives up after a minute). */
    private static Thread whenLogged(TestSite site, String text, Runnable action) {
        Path log = site.home().resolve("logs").resolve(site.jobName() + ".log");
        Thread thread = new Thread(() -> {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (Files.exists(log) && Files.readString(log).contains(text)) {
                        break;
                    }
                    Thread.sleep(20);
                } catch (IOException e) {
                    // written meanwhile: read again
                } catch (InterruptedException e) {
                    return;
                }
            }
            action.run();
        }, "when-logged");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private TestSite site(String name) {
        TestSite site = new TestSite(dir.resolve(name));
        site.source("client.lkp", TestSite.bytes(64 * 1024, name.hashCode()));
        return site.writeJob();
    }

    private Path credentials(String text) throws IOException {
        Path file = dir.resolve("smb-credentials-" + System.nanoTime());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** The password is in no output, no log file under CAPSYNC_HOME/logs and no row of the repository. */
    private static void assertPasswordNowhere(TestSite site, Cli.Result result, String password) throws Exception {
        assertThat(result.out()).doesNotContain(password);
        assertThat(result.err()).doesNotContain(password);
        try (Stream<Path> logs = Files.walk(site.home().resolve("logs"))) {
            for (Path file : logs.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(file)).as(file.toString()).doesNotContain(password);
            }
        }
        StringBuilder dump = new StringBuilder();
        try (Connection db = repository(site); Statement sql = db.createStatement(); ResultSet rows = sql.executeQuery("SCRIPT")) {
            while (rows.next()) {
                dump.append(rows.getString(1)).append('\n');
            }
        }
        assertThat(dump).contains("CAPSYNC_PAIR").doesNotContain(password);
    }

    private static String lastError(TestSite site, String cap) throws SQLException {
        return queryString(site, "SELECT LAST_ERROR FROM CAPSYNC_PAIR WHERE CAP_NAME = ? ORDER BY PAIR_ID DESC LIMIT 1", cap);
    }

    private static int attempts(TestSite site, String cap) throws SQLException {
        return Integer.parseInt(queryString(site, "SELECT ATTEMPTS FROM CAPSYNC_PAIR WHERE CAP_NAME = ? ORDER BY PAIR_ID DESC LIMIT 1", cap));
    }

    private static String attemptReasons(TestSite site, String cap) throws SQLException {
        return queryString(site, "SELECT LISTAGG(COALESCE(A.REASON, ''), ' | ') FROM CAPSYNC_ATTEMPT A JOIN CAPSYNC_PAIR P ON A.PAIR_ID = P.PAIR_ID WHERE P.CAP_NAME = ?", cap);
    }

    private static String queryString(TestSite site, String query, String cap) throws SQLException {
        try (Connection db = repository(site); var sql = db.prepareStatement(query)) {
            sql.setString(1, cap);
            try (ResultSet rows = sql.executeQuery()) {
                return rows.next() ? String.valueOf(rows.getString(1)) : "";
            }
        }
    }

    private static Connection repository(TestSite site) throws SQLException {
        return Repository.connect(site.home());
    }

    private static String log(TestSite site) throws IOException {
        return Files.readString(site.home().resolve("logs").resolve(site.jobName() + ".log"));
    }

}

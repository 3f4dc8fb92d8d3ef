package org.capsync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.capsync.support.Cli;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run lock is free but another program (an H2 console, a backup tool) holds the repository file open without
 * capsync's auto-server: exit 1 with a clear message, and nothing copied — never copy without recording. Such a
 * program needs the repository's password: without it H2 does not let it open the file at all.
 */
class ForeignRepositoryLockTest {

    @TempDir
    Path dir;

    @Test
    void aRepositoryLockedByAForeignProcessIsExit1AndNothingIsCopied() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        site.source("client.lkp", TestSite.bytes(2000, 3));
        String url = "jdbc:h2:file:" + site.home().resolve("repository/capsync");

        // A foreign program without the repository's password (H2's default empty one) cannot even open it.
        Process refused = h2Shell(url, "");
        refused.getOutputStream().close();
        assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(refused.getInputStream().readAllBytes())).contains("Wrong user name or password");
        assertThat(refused.exitValue()).isNotZero();

        // One given the password by the administrator can, and holds the file open.
        Process foreign = h2Shell(url, site.capsyncHome().repositoryLocation().password());
        try {
            foreign.getOutputStream().write("SELECT 1;\n".getBytes());
            foreign.getOutputStream().flush();
            awaitOpen(foreign);

            Cli.Result result = Cli.run(site, "run", "job.yml");

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).contains("the job repository is locked by another program").contains("nothing was copied");
            assertThat(site.capBytes("CAP_001")).isNotEqualTo(site.sourceBytes());
        } finally {
            foreign.destroyForcibly().waitFor();
        }
    }

    private static Process h2Shell(String url, String password) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "org.h2.tools.Shell", "-url", url, "-user", "sa", "-password", password))
                .redirectErrorStream(true).start();
    }

    /** The shell prints its first result once it holds the database open. */
    private static void awaitOpen(Process shell) throws java.io.IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream()));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.contains("(1 row")) {
                return;
            }
        }
        throw new AssertionError("the H2 shell did not open the repository");
    }
}

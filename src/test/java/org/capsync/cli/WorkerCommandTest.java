package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.capsync.support.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code capsync worker}'s bad settings: exit 2 and one line, before it connects to anything. */
class WorkerCommandTest {

    @TempDir
    Path dir;

    @Test
    void withoutABrokerItIsExit2() {
        Cli.Result result = Cli.run(dir.resolve("home"), dir, Map.of("CAPSYNC_DB_URL", "jdbc:postgresql://127.0.0.1:1/capsync"), "worker");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains("CAPSYNC_BROKER_URL");
    }

    @Test
    void withoutTheSharedRepositoryItIsExit2() {
        Cli.Result result = Cli.run(dir.resolve("home"), dir, Map.of("CAPSYNC_BROKER_URL", "tcp://127.0.0.1:1"), "worker");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains("CAPSYNC_DB_URL");
        assertThat(dir.resolve("home")).doesNotExist();
    }

    @Test
    void aRegionThatCannotNameAQueueIsExit2() {
        Cli.Result result = Cli.run(dir.resolve("home"), dir, Map.of(), "worker", "--region", "north/east");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains("--region 'north/east'");
    }

    @Test
    void aBrokerCredentialsFileOthersCanReadIsExit2() throws Exception {
        Path file = dir.resolve("broker.properties");
        Files.writeString(file, "user=capsync\npassword=s3cret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        Cli.Result result = Cli.run(dir.resolve("home"), dir, Map.of("CAPSYNC_BROKER_URL", "tcp://127.0.0.1:1",
                "CAPSYNC_BROKER_CREDENTIALS", file.toString(), "CAPSYNC_DB_URL", "jdbc:postgresql://127.0.0.1:1/capsync"), "worker");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains("broker.properties").doesNotContain("s3cret");
    }
}

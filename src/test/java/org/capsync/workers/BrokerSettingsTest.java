package org.capsync.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.capsync.definition.DefinitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's settings from the environment or an owner-only credentials file; the password never shown. */
class BrokerSettingsTest {

    @TempDir
    Path dir;

    @Test
    void fromTheEnvironmentAndNeverShowingThePassword() {
        BrokerSettings settings = BrokerSettings.fromEnvironment(Map.of("CAPSYNC_BROKER_URL", "tcp://broker:61616",
                "CAPSYNC_BROKER_USER", "capsync", "CAPSYNC_BROKER_PASSWORD", "s3cret")).orElseThrow();

        assertThat(settings.user()).isEqualTo("capsync");
        assertThat(settings.password()).isEqualTo("s3cret");
        assertThat(settings.toString()).doesNotContain("s3cret").contains("tcp://broker:61616");
        assertThat(BrokerSettings.fromEnvironment(Map.of())).isEmpty();
    }

    @Test
    void fromAnOwnerOnlyCredentialsFile() throws Exception {
        Path file = credentials("user=capsync\npassword=s3cret\n", "rw-------");

        BrokerSettings settings = BrokerSettings.fromEnvironment(Map.of("CAPSYNC_BROKER_URL", "tcp://broker:61616",
                "CAPSYNC_BROKER_CREDENTIALS", file.toString())).orElseThrow();

        assertThat(settings.user()).isEqualTo("capsync");
        assertThat(settings.password()).isEqualTo("s3cret");
    }

    @Test
    void aCredentialsFileTheGroupCanReadIsRefused() throws Exception {
        Path file = credentials("user=capsync\npassword=s3cret\n", "rw-r-----");

        assertThatThrownBy(() -> BrokerSettings.fromEnvironment(Map.of("CAPSYNC_BROKER_URL", "tcp://broker:61616",
                "CAPSYNC_BROKER_CREDENTIALS", file.toString())))
                .isInstanceOf(DefinitionException.class)
                .hasMessageContaining(file.getFileName().toString())
                .hasMessageContaining("chmod 600")
                .hasMessageNotContaining("s3cret");
    }

    private Path credentials(String text, String permissions) throws Exception {
        Path file = dir.resolve("broker.properties");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }
}

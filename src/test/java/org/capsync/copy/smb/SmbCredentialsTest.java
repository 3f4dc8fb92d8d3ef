package org.capsync.copy.smb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.capsync.definition.DefinitionException;
import org.capsync.definition.JobDefinition;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmbCredentialsTest {

    static final String PASSWORD = "p@ss=w\\rd with spaces ";

    @TempDir
    Path dir;

    @Test
    void readsAnOwnerOnlyFileAndTakesThePasswordAsWritten() throws IOException {
        Path file = credentials("# capsync\r\ndomain = CORP\r\nuser=svc-capsync\r\npassword=" + PASSWORD + "\r\n", "rw-------");

        SmbCredentials credentials = SmbCredentials.fromFile(file);

        assertThat(credentials.domain()).isEqualTo("CORP");
        assertThat(credentials.user()).isEqualTo("svc-capsync");
        assertThat(credentials.password()).isEqualTo(PASSWORD);
        assertThat(credentials.account()).isEqualTo("CORP\\svc-capsync");
        assertThat(credentials.toString()).doesNotContain("p@ss").contains("CORP\\svc-capsync").contains(file.toString());
    }

    @Test
    void refusesAFileGroupOrOthersCanRead() throws IOException {
        for (String mode : new String[] {"rw-r-----", "rw----r--", "rw-rw-rw-"}) {
            Path file = credentials("user=svc\npassword=" + PASSWORD + "\n", mode);
            assertThatThrownBy(() -> SmbCredentials.fromFile(file))
                    .isInstanceOf(DefinitionException.class)
                    .hasMessageStartingWith(file.toString())
                    .hasMessageContaining("readable or writable by group or others")
                    .hasMessageContaining("chmod 600")
                    .hasMessageNotContaining("p@ss");
        }
    }

    @Test
    void namesTheLineOfAMistakeButNeverAValue() throws IOException {
        Path unknown = credentials("user=svc\npasswd=" + PASSWORD + "\n", "rw-------");
        assertThatThrownBy(() -> SmbCredentials.fromFile(unknown)).hasMessage(unknown + ":2: unknown key (keys: domain, user, password)");
        Path noEquals = credentials("user=svc\n" + PASSWORD + "\n", "rw-------");
        assertThatThrownBy(() -> SmbCredentials.fromFile(noEquals)).hasMessageContaining(":2: unknown key").hasMessageNotContaining("p@ss");
        Path bare = credentials("user=svc\nHunter2\n", "rw-------");
        assertThatThrownBy(() -> SmbCredentials.fromFile(bare)).hasMessageContaining(":2: expected key=value").hasMessageNotContaining("Hunter2");
        Path noPassword = credentials("user=svc\n", "rw-------");
        assertThatThrownBy(() -> SmbCredentials.fromFile(noPassword)).hasMessageContaining("no password= line");
        assertThatThrownBy(() -> SmbCredentials.fromFile(dir.resolve("missing"))).hasMessageContaining("not found");
    }

    @Test
    void theJobsFileComesFirstThenTheEnvironmentThenGuest() throws IOException {
        Path file = credentials("user=CORP\\svc\npassword=x\n", "rw-------");
        TestSite site = TestSite.withCaps(dir.resolve("site"), 1);
        JobDefinition plain = site.definition();
        JobDefinition withFile = site.extraJobLines("credentials: " + file + "\n").definition();
        Map<String, String> env = Map.of(SmbCredentials.ENV_USER, "envuser", SmbCredentials.ENV_PASSWORD, "envpw",
                SmbCredentials.ENV_DOMAIN, "ENVDOM");

        assertThat(SmbCredentials.resolve(withFile, env).account()).isEqualTo("CORP\\svc");
        assertThat(SmbCredentials.resolve(plain, env).account()).isEqualTo("ENVDOM\\envuser");
        assertThat(SmbCredentials.resolve(plain, env).password()).isEqualTo("envpw");
        assertThat(SmbCredentials.resolve(plain, Map.of())).isEqualTo(SmbCredentials.GUEST);
        assertThatThrownBy(() -> SmbCredentials.resolve(plain, Map.of(SmbCredentials.ENV_PASSWORD, "envpw")))
                .isInstanceOf(DefinitionException.class).hasMessageContaining("CAPSYNC_SMB_USER is not").hasMessageNotContaining("envpw");
    }

    private Path credentials(String text, String mode) throws IOException {
        Path file = Files.createTempFile(dir, "credentials", ".properties");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }
}

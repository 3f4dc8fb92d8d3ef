package org.capsync.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.capsync.support.Cli;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which repository the CAPSYNC_DB_* variables choose, and that the password never shows. */
class RepositoryLocationTest {

    private static final String URL = "jdbc:postgresql://dbhost:5432/capsync";

    @TempDir
    Path dir;

    @Test
    void withoutADatabaseUrlTheRepositoryIsTheEmbeddedH2FileInCapsyncHome() {
        CapsyncHome home = CapsyncHome.fromEnvironment(Map.of("CAPSYNC_HOME", dir.toString()));

        assertThat(home.repositoryLocation()).isEqualTo(new RepositoryLocation.EmbeddedH2(dir.resolve("repository")));
        assertThat(home.jdbcUrl()).startsWith("jdbc:h2:file:" + dir.resolve("repository/capsync")).contains("AUTO_SERVER=TRUE");
        assertThat(home.repositoryLocation().shared()).isFalse();
    }

    @Test
    void theEmbeddedRepositorysPasswordComesFromItsOwnerOnlyFileAndNeverShows() throws Exception {
        CapsyncHome home = new CapsyncHome(dir).ensureExists();
        RepositoryLocation.EmbeddedH2 location = (RepositoryLocation.EmbeddedH2) home.repositoryLocation();

        String password = location.password();

        assertThat(location.passwordFile()).isEqualTo(dir.resolve("repository/password"));
        assertThat(Files.readString(location.passwordFile()).strip()).isEqualTo(password);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(location.passwordFile()))).isEqualTo("rw-------");
        assertThat(location.password()).as("read again, not generated anew").isEqualTo(password);
        assertThat(List.of(location.describe(), location.toString(), home.toString(), location.jdbcUrl()))
                .noneMatch(text -> text.contains(password));
    }

    @Test
    void aDatabaseUrlWithUserAndPasswordChoosesTheSharedServer() {
        RepositoryLocation location = RepositoryLocation.fromEnvironment(
                Map.of("CAPSYNC_DB_URL", URL, "CAPSYNC_DB_USER", "capsync", "CAPSYNC_DB_PASSWORD", "s3cret!"), dir);

        assertThat(location.jdbcUrl()).isEqualTo(URL);
        assertThat(location.user()).isEqualTo("capsync");
        assertThat(location.password()).isEqualTo("s3cret!");
        assertThat(location.shared()).isTrue();
        assertThat(location.describe()).contains(URL).contains("capsync").doesNotContain("s3cret!");
        assertThat(location.toString()).doesNotContain("s3cret!");
        assertThat(new CapsyncHome(dir, location).toString()).doesNotContain("s3cret!");
    }

    @Test
    void anOwnerOnlyCredentialsFileGivesUserAndPasswordAndTheVariablesOverrideIt() throws Exception {
        Path file = credentials("user=site01\npassword=from-file\n", "rw-------");

        RepositoryLocation fromFile = RepositoryLocation.fromEnvironment(
                Map.of("CAPSYNC_DB_URL", URL, "CAPSYNC_DB_CREDENTIALS", file.toString()), dir);
        RepositoryLocation overridden = RepositoryLocation.fromEnvironment(
                Map.of("CAPSYNC_DB_URL", URL, "CAPSYNC_DB_CREDENTIALS", file.toString(), "CAPSYNC_DB_USER", "other"), dir);

        assertThat(fromFile.user()).isEqualTo("site01");
        assertThat(fromFile.password()).isEqualTo("from-file");
        assertThat(overridden.user()).isEqualTo("other");
        assertThat(overridden.password()).isEqualTo("from-file");
    }

    @Test
    void aCredentialsFileOthersCanReadIsRefusedWithoutShowingThePassword() throws Exception {
        Path file = credentials("user=site01\npassword=from-file\n", "rw-r--r--");

        assertThatThrownBy(() -> RepositoryLocation.fromEnvironment(
                Map.of("CAPSYNC_DB_URL", URL, "CAPSYNC_DB_CREDENTIALS", file.toString()), dir))
                .isInstanceOf(RepositoryLocation.InvalidSetting.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("chmod 600")
                .hasMessageNotContaining("from-file");
    }

    @Test
    void aMisspelledKeyInTheCredentialsFileIsNamed() throws Exception {
        Path file = credentials("user=site01\npasswort=x\n", "rw-------");

        assertThatThrownBy(() -> RepositoryLocation.fromEnvironment(
                Map.of("CAPSYNC_DB_URL", URL, "CAPSYNC_DB_CREDENTIALS", file.toString()), dir))
                .isInstanceOf(RepositoryLocation.InvalidSetting.class)
                .hasMessageContaining("unknown key 'passwort'");
    }

    @Test
    void aUrlWithoutAUserIsRefused() {
        assertThatThrownBy(() -> RepositoryLocation.fromEnvironment(Map.of("CAPSYNC_DB_URL", URL), dir))
                .isInstanceOf(RepositoryLocation.InvalidSetting.class)
                .hasMessageContaining("CAPSYNC_DB_USER");
    }

    @Test
    void aUrlThatIsNotPostgresIsExitTwoBeforeAnyCapIsTouchedAndItsPasswordIsMasked() {
        TestSite site = TestSite.withCaps(dir, 2);

        Cli.Result result = Cli.run(site, Map.of("CAPSYNC_DB_URL", "jdbc:mysql://dbhost/capsync?user=x&password=hunter2",
                "CAPSYNC_DB_USER", "x"), "run", site.jobFile().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("CAPSYNC_DB_URL must be a PostgreSQL JDBC URL").contains("password=***")
                .doesNotContain("hunter2");
        assertThat(site.capFile("CAP_001")).doesNotExist();
    }

    private Path credentials(String text, String mode) throws Exception {
        Path file = dir.resolve("db.properties");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }
}

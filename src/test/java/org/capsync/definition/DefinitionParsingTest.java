package org.capsync.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented job file and CAP list formats, read as an administrator writes them. */
class DefinitionParsingTest {

    @TempDir
    Path dir;

    @Test
    void readsTheDocumentedExampleJob() {
        JobDefinition job = new JobFileParser().parse(Path.of("jobs/client-lkp.yml"));

        assertThat(job.name()).isEqualTo("client-lkp");
        assertThat(job.files()).containsExactly("client.lkp");
        assertThat(job.target()).isEqualTo("clidata.box");
        assertThat(job.caps()).isEqualTo(Path.of("jobs/client-lkp.caps.csv").toAbsolutePath());
        assertThat(job.retry()).isEqualTo(new RetrySettings(5, Duration.ofSeconds(2), 2.0, Duration.ofMinutes(1)));
        assertThat(job.threads()).isEqualTo(4);
        assertThat(new CapListParser().parse(job.caps()).enabled()).extracting(Cap::name).containsExactly("CAP_XYZ", "CAP_ABC");
    }

    /** Windows paths as a Windows administrator writes them, backslashes and all, are absolute paths. */
    @Test
    void aDrivePathAndAUncPathAreAbsolute() throws Exception {
        Files.writeString(dir.resolve("caps.csv"), "name,path\nCAP_C,C:\\caps\\xyz\nCAP_D,d:/caps/abc\nCAP_U,\\\\SITESRV01\\CAP_XYZ\n");

        assertThat(new CapListParser().parse(dir.resolve("caps.csv")).enabled()).extracting(Cap::path)
                .containsExactly("C:\\caps\\xyz", "d:/caps/abc", "\\\\SITESRV01\\CAP_XYZ");
    }

    @Test
    void defaultsRetryAndThreadsAndResolvesPathsAgainstTheJobFile() throws Exception {
        Files.writeString(dir.resolve("j.yml"), "name: j\nsource: in\nfiles: client.lkp\ncaps: sub/caps.csv\n");

        JobDefinition job = new JobFileParser().parse(dir.resolve("j.yml"));

        assertThat(job.retry()).isEqualTo(RetrySettings.DEFAULT);
        assertThat(job.threads()).isEqualTo(4);
        assertThat(job.source()).isEqualTo(dir.resolve("in"));
        assertThat(job.caps()).isEqualTo(dir.resolve("sub/caps.csv"));
        assertThat(job.target()).isEmpty();
        assertThat(job.options()).isEqualTo(JobDefinition.Options.NONE);
    }

    @Test
    void smbConnectionsDefaultToOnePerFourThreadsAtMostFourOrWhatTheJobFileSays() throws Exception {
        Files.writeString(dir.resolve("j.yml"), "name: j\nsource: in\nfiles: client.lkp\ncaps: caps.csv\n");
        JobDefinition job = new JobFileParser().parse(dir.resolve("j.yml"));

        assertThat(job.smbConnections()).isEqualTo(1);
        assertThat(job.withThreads(1).smbConnections()).isEqualTo(1);
        assertThat(job.withThreads(8).smbConnections()).isEqualTo(2);
        assertThat(job.withThreads(16).smbConnections()).isEqualTo(4);
        assertThat(job.withThreads(64).smbConnections()).isEqualTo(4);

        Files.writeString(dir.resolve("k.yml"), "name: k\nsource: in\nfiles: client.lkp\ncaps: caps.csv\nthreads: 16\nsmb-connections: 1\n");
        assertThat(new JobFileParser().parse(dir.resolve("k.yml")).smbConnections()).isEqualTo(1);

        Files.writeString(dir.resolve("l.yml"), "name: l\nsource: in\nfiles: client.lkp\ncaps: caps.csv\nsmb-connections: 0\n");
        assertThatThrownBy(() -> new JobFileParser().parse(dir.resolve("l.yml")))
                .isInstanceOf(DefinitionException.class)
                .hasMessageContaining("l.yml:5").hasMessageContaining("smb-connections must be a whole number from 1 to 64, not '0'");
    }

    @Test
    void readsACapListWithBomCrlfCommentsQuotesAndEnabled() throws Exception {
        String text = "\uFEFF# CAPs of site XYZ\r\nname,path,enabled\r\n\r\nCAP_XYZ,\\\\SERVER\\CAP_XYZ,true\r\n"
                + "# lab share, off for now\r\nCAP_LAB,\"/mnt/cap, lab\",false\r\nCAP_B,/mnt/b,\r\n";
        Files.write(dir.resolve("caps.csv"), text.getBytes(StandardCharsets.UTF_8));

        CapList caps = new CapListParser().parse(dir.resolve("caps.csv"));

        assertThat(caps.caps()).containsExactly(
                new Cap("CAP_XYZ", "\\\\SERVER\\CAP_XYZ", true, 4),
                new Cap("CAP_LAB", "/mnt/cap, lab", false, 6),
                new Cap("CAP_B", "/mnt/b", true, 7));
        assertThat(caps.enabled()).extracting(Cap::name).containsExactly("CAP_XYZ", "CAP_B");
    }

    @Test
    void aMissingCapListNamesTheFile() {
        assertThatThrownBy(() -> new CapListParser().parse(dir.resolve("nope.csv")))
                .isInstanceOf(DefinitionException.class)
                .hasMessageContaining("nope.csv").hasMessageContaining("not found");
    }

    /**
     * Two enabled CAPs that are provably one folder: refused naming both lines. One row per way of writing one folder
     * twice; {@code %d} stands for this test's folder. The rows with {@code null} are different folders and pass.
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> sameFolderTwice() {
        return java.util.stream.Stream.of(
                same("the same path", "%d/caps/A", "%d/caps/A"),
                same("a trailing slash", "%d/caps/A", "%d/caps/A/"),
                same("a . segment", "%d/caps/A", "%d/caps/./A"),
                same("a .. segment", "%d/caps/A", "%d/caps/B/../A"),
                same("a .. segment, folder not there yet", "%d/nowhere/A", "%d/nowhere/B/../A"),
                same("a link to the folder", "%d/caps/A", "%d/link-to-A"),
                same("a link to a parent of the folder", "%d/caps/A", "%d/link-to-caps/A"),
                same("smb:// host in another case", "smb://Server/share/A", "smb://server/share/A"),
                same("smb:// share and folder in another case", "smb://server/share/A", "smb://server/SHARE/a/"),
                same("smb:// with the default port written", "smb://server/share/A", "smb://server:445/share/A"),
                same("UNC in another case", "\\\\Server\\Share\\A", "\\\\server\\share\\a\\"),
                same("UNC with a .. segment", "\\\\server\\share\\A", "\\\\server\\share\\B\\..\\A"),
                different("two folders", "%d/caps/A", "%d/caps/B"),
                different("smb:// on another port", "smb://server/share/A", "smb://server:4445/share/A"),
                different("smb:// on another host", "smb://server1/share/A", "smb://server2/share/A"),
                different("local paths differing in case on a case-sensitive file system", "%d/caps/A", "%d/caps/a"));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("sameFolderTwice")
    void twoCapsThatAreOneFolderAreRefusedNamingBothLines(String name, String first, String second, boolean refused)
            throws Exception {
        Files.createDirectories(dir.resolve("caps/A"));
        Files.createDirectories(dir.resolve("caps/B"));
        Files.createSymbolicLink(dir.resolve("link-to-A"), dir.resolve("caps/A"));
        Files.createSymbolicLink(dir.resolve("link-to-caps"), dir.resolve("caps"));
        Path caps = dir.resolve("caps.csv");
        Files.writeString(caps, "name,path\n# first\nCAP_ONE," + first.replace("%d", dir.toString()) + "\nCAP_OTHER,"
                + dir.resolve("caps/B/../../other") + "\nCAP_TWO," + second.replace("%d", dir.toString()) + "\n");

        if (refused) {
            assertThatThrownBy(() -> new CapListParser().parse(caps))
                    .isInstanceOf(DefinitionException.class)
                    .hasMessageContaining(caps + ":5: CAP 'CAP_TWO' is the same folder as CAP 'CAP_ONE' (" + caps + ":3)");
        } else {
            assertThat(new CapListParser().parse(caps).enabled()).hasSize(3);
        }
    }

    @Test
    void aDisabledCapMayNameTheFolderOfAnEnabledOne() throws Exception {
        Path caps = dir.resolve("caps.csv");
        Files.writeString(caps, "name,path,enabled\nCAP_OLD,/srv/caps/A,false\nCAP_NEW,/srv/caps/A/,true\n");

        assertThat(new CapListParser().parse(caps).enabled()).extracting(Cap::name).containsExactly("CAP_NEW");
    }

    private static org.junit.jupiter.params.provider.Arguments same(String name, String first, String second) {
        return org.junit.jupiter.params.provider.Arguments.of(name, first, second, true);
    }

    private static org.junit.jupiter.params.provider.Arguments different(String name, String first, String second) {
        return org.junit.jupiter.params.provider.Arguments.of(name, first, second, false);
    }
}

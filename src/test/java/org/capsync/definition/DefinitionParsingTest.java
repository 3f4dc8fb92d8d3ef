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
}

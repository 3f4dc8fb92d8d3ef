package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.capsync.support.Cli;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed job file or CAP list: exit 2, a message naming the file and the line, no CAP touched, nothing
 * recorded as a run (the repository is not even opened).
 */
class BadInputTest {

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        return Stream.of(
                bad("empty CAP list", "caps.csv:1", s -> write(s.capsFile(), "")),
                bad("CAP list with only comments", "caps.csv:1", s -> write(s.capsFile(), "# nothing yet\n\n")),
                bad("header missing", "caps.csv:1", s -> write(s.capsFile(), "CAP_001," + s.capRoot("CAP_001") + "\n")),
                bad("unknown column", "caps.csv:2", s -> write(s.capsFile(), "# caps\nname,path,site\nCAP_001,/x,a\n")),
                bad("header but no CAPs", "caps.csv", s -> write(s.capsFile(), "name,path\n")),
                bad("missing path", "caps.csv:3", s -> write(s.capsFile(), "name,path\nCAP_001,/x\nCAP_002,\n")),
                bad("duplicate CAP name", "caps.csv:3", s -> write(s.capsFile(), "name,path\nCAP_001,/x\nCAP_001,/y\n")),
                bad("duplicate CAP name differing in case", "caps.csv:4", s -> write(s.capsFile(), "name,path\n\nCAP_001,/x\ncap_001,/y\n")),
                bad("blank name", "caps.csv:2", s -> write(s.capsFile(), "name,path\n ,/x\n")),
                bad("bad enabled value", "caps.csv:2", s -> write(s.capsFile(), "name,path,enabled\nCAP_001,/x,maybe\n")),
                bad("CAP list is a directory", "caps.csv", s -> replaceWithDirectory(s.capsFile())),
                bad("region with a slash", "caps.csv:3", s -> write(s.capsFile(), "name,path,region\nCAP_001,/x,north\nCAP_002,/y,north/east\n")),
                bad("region with a space", "caps.csv:2", s -> write(s.capsFile(), "name,path,region\nCAP_001,/x,north east\n")),
                bad("workers not true or false", "job.yml:8", s -> s.extraJobLines("workers: sometimes\n")),
                bad("unparsable worker-timeout", "job.yml:9", s -> s.extraJobLines("workers: true\nworker-timeout: soon\n")),
                bad("worker-timeout under a second", "job.yml:9", s -> s.extraJobLines("workers: true\nworker-timeout: 500ms\n")),
                bad("job on workers without CAPSYNC_DB_URL", "job.yml:8", s -> s.extraJobLines("workers: true\n")),
                bad("unknown key in job file", "job.yml:8", s -> s.extraJobLines("colour: blue\n")),
                bad("missing source", "job.yml:1", s -> write(s.jobFile(), "name: client-lkp\nfiles: [client.lkp]\ncaps: caps.csv\n")),
                bad("zero attempts", "job.yml:6", s -> s.retry("{ attempts: 0 }")),
                bad("negative attempts", "job.yml:6", s -> s.retry("{ attempts: -2 }")),
                bad("unparsable duration", "job.yml:6", s -> s.retry("{ delay: soon }")),
                bad("unknown retry key", "job.yml:6", s -> s.retry("{ tries: 3 }")),
                bad("target escaping the CAP", "job.yml:5", s -> replaceLine(s.jobFile(), "target: clidata.box", "target: ../elsewhere")),
                bad("absolute target", "job.yml:5", s -> replaceLine(s.jobFile(), "target: clidata.box", "target: /etc")),
                bad("file name escaping the CAP", "job.yml:3", s -> replaceLine(s.jobFile(), "files: [client.lkp]", "files: [../client.lkp]")),
                bad("absolute file name", "job.yml:3", s -> replaceLine(s.jobFile(), "files: [client.lkp]", "files: [/etc/passwd]")),
                bad("glob that matches nothing", "job.yml:3", s -> replaceLine(s.jobFile(), "files: [client.lkp]", "files: [client.lkp, '*.xyz']")),
                bad("source folder missing", "job.yml:2", s -> replaceLine(s.jobFile(), "source: inbox", "source: no-such-inbox")),
                bad("zero threads", "job.yml:7", s -> replaceLine(s.jobFile(), "threads: 2", "threads: 0")),
                bad("bad job name", "job.yml:1", s -> replaceLine(s.jobFile(), "name: client-lkp", "name: ../x")),
                bad("not YAML", "job.yml:2", s -> write(s.jobFile(), "name: x\n  bad: indentation\n")),
                bad("job file in Latin-1", "job.yml:1", s -> writeBytes(s.jobFile(),
                        "name: client-lkp # Zugriffspr\u00fcfung\nsource: inbox\nfiles: [client.lkp]\ncaps: caps.csv\n".getBytes(StandardCharsets.ISO_8859_1))),
                bad("CAP list in Latin-1", "caps.csv:2", s -> writeBytes(s.capsFile(), "name,path\nCAP_M\u00fcnchen,/x\n".getBytes(StandardCharsets.ISO_8859_1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithExit2NamingFileAndLine(String name, String fileAndLine, Consumer<TestSite> breakIt) throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        breakIt.accept(site);

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(fileAndLine);
        assertThat(Files.exists(site.capFile("CAP_001"))).as("a CAP was touched").isFalse();
        assertThat(site.strayFilesAtCaps()).isEmpty();
        assertThat(Files.exists(site.home().resolve("repository"))).as("a run was recorded").isFalse();
    }

    private static Arguments bad(String name, String fileAndLine, Consumer<TestSite> breakIt) {
        return Arguments.of(name, fileAndLine, breakIt);
    }

    private static void write(Path file, String text) {
        TestSite.write(file, text);
    }

    private static void writeBytes(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void replaceLine(Path file, String line, String replacement) {
        try {
            String text = Files.readString(file);
            assertThat(text).contains(line);
            Files.writeString(file, text.replace(line, replacement));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void replaceWithDirectory(Path file) {
        try {
            Files.delete(file);
            Files.createDirectories(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

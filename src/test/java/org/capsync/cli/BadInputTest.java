package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import org.capsync.support.Cli;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed job file or CAP list, bad option or environment variable: exit 2, one line naming the file and the
 * line (or the option), no CAP touched, nothing recorded as a run (the repository is not even opened). One row per case.
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
                bad("two CAPs that are one folder", "caps.csv:3", s -> write(s.capsFile(),
                        "name,path\nCAP_001," + s.capRoot("CAP_001") + "\nCAP_002," + s.capRoot("CAP_001") + "/\n")),
                bad("two CAPs that are one folder through a link", "caps.csv:4", s -> write(s.capsFile(),
                        "name,path\nCAP_001," + s.capRoot("CAP_001") + "\n# moved\nCAP_002," + link(s.root().resolve("alias"), s.capRoot("CAP_001")) + "\n")),
                bad("two smb:// CAPs that are one share folder", "caps.csv:3", s -> write(s.capsFile(),
                        "name,path\nCAP_001,smb://fs1/caps/A\nCAP_002,smb://FS1/Caps/a/\n")),
                bad("blank name", "caps.csv:2", s -> write(s.capsFile(), "name,path\n ,/x\n")),
                bad("bad enabled value", "caps.csv:2", s -> write(s.capsFile(), "name,path,enabled\nCAP_001,/x,maybe\n")),
                bad("CAP list is a directory", "caps.csv", s -> replaceWithDirectory(s.capsFile())),
                bad("CAP list is a named pipe", "caps.csv: CAP list is a device or other special file", s -> replaceWithPipe(s.capsFile())),
                bad("CAP list is a device", "/dev/zero: CAP list is a device", s -> replaceLine(s.jobFile(), "caps: caps.csv", "caps: /dev/zero")),
                bad("job file is a directory", "job.yml is a folder", s -> replaceWithDirectory(s.jobFile())),
                bad("job file is a named pipe", "job.yml is a device", s -> replaceWithPipe(s.jobFile())),
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
                bad("source file that is a folder", "client.lkp is a folder, not a file", s -> replaceWithDirectory(s.root().resolve("inbox/client.lkp"))),
                bad("source folder missing", "job.yml:2", s -> replaceLine(s.jobFile(), "source: inbox", "source: no-such-inbox")),
                bad("zero threads", "job.yml:7", s -> replaceLine(s.jobFile(), "threads: 2", "threads: 0")),
                bad("bad job name", "job.yml:1", s -> replaceLine(s.jobFile(), "name: client-lkp", "name: ../x")),
                bad("not YAML", "job.yml:2", s -> write(s.jobFile(), "name: x\n  bad: indentation\n")),
                bad("job file in Latin-1", "job.yml:1", s -> writeBytes(s.jobFile(),
                        "name: client-lkp # Zugriffspr\u00fcfung\nsource: inbox\nfiles: [client.lkp]\ncaps: caps.csv\n".getBytes(StandardCharsets.ISO_8859_1))),
                bad("CAP list in Latin-1", "caps.csv:2", s -> writeBytes(s.capsFile(), "name,path\nCAP_M\u00fcnchen,/x\n".getBytes(StandardCharsets.ISO_8859_1))),
                bad("malformed glob", "job.yml:3", s -> replaceLine(s.jobFile(), "files: [client.lkp]", "files: ['client[.lkp']")),
                bad("glob with an unclosed brace", "job.yml:3", s -> replaceLine(s.jobFile(), "files: [client.lkp]", "files: ['{client.lkp,x'] ")),
                bad("CAP name longer than the repository's column", "caps.csv:3", s -> write(s.capsFile(),
                        "name,path\nCAP_001," + s.capRoot("CAP_001") + "\n" + "C".repeat(256) + "," + s.capRoot("CAP_002") + "\n")),
                bad("CAP path longer than the repository's column", "caps.csv:2", s -> write(s.capsFile(),
                        "name,path\nCAP_001,/" + "p".repeat(2000) + "\n")),
                bad("target longer than the repository's column", "job.yml:5", s -> replaceLine(s.jobFile(), "target: clidata.box",
                        "target: " + "t".repeat(1001))),
                bad("relative CAP path", "caps.csv:3", s -> write(s.capsFile(),
                        "name,path\nCAP_001," + s.capRoot("CAP_001") + "\nCAP_002,caps/CAP_002\n")),
                bad("CAP path '.'", "caps.csv:2", s -> write(s.capsFile(), "name,path\nCAP_001,.\n")),
                bad("unterminated quote in the CAP list", "not valid CSV: (startline 2)", s -> write(s.capsFile(), "name,path\nCAP_001,\"/x\n")),
                bad("CAP path with a line break", "caps.csv:2", s -> write(s.capsFile(),
                        "name,path\nCAP_001,\"" + s.capRoot("CAP_001") + "\n00:00:00 forged line\"\n")),
                bad("target with a control character", "job.yml:5", s -> replaceLine(s.jobFile(), "target: clidata.box", "target: \"clidata\\e.box\"")),
                bad("job name longer than 64 characters", "job.yml:1", s -> replaceLine(s.jobFile(), "name: client-lkp", "name: " + "j".repeat(65))),
                bad("job file past the YAML loader's alias limit", "job.yml", s -> s.extraJobLines("x: &a [1]\n"
                        + java.util.stream.IntStream.range(0, 60).mapToObj(i -> "y" + i + ": *a\n").collect(java.util.stream.Collectors.joining()))),
                bad("source file named like capsync's temp files", "job.yml:3", s -> {
                    s.source(".client.lkp.client-lkp.0123456789abcdef.capsync-tmp", new byte[] {1});
                    replaceLine(s.jobFile(), "files: [client.lkp]", "files: ['*']");
                }),
                bad("metrics folder in the job file is a file", "job.yml: metrics", s -> {
                    write(s.root().resolve("metrics.prom"), "");
                    s.extraJobLines("metrics: metrics.prom\n");
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithExit2NamingFileAndLine(String name, String fileAndLine, Consumer<TestSite> breakIt) throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        breakIt.accept(site);

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertRefused(result, fileAndLine, site, site.home());
    }

    /**
     * Bad options and environment variables: the same contract as a bad job file, one line naming the option or the
     * variable, before anything is written or recorded.
     */
    static Stream<Arguments> settings() {
        return Stream.of(
                setting("CAPSYNC_HOME containing ';'", "contains ';'", s -> new Invocation(s.root().resolve("home;x"), Map.of(), "run", "job.yml")),
                setting("CAPSYNC_HOME a file", "is a file, not a folder", s -> {
                    write(s.root().resolve("home-file"), "");
                    return new Invocation(s.root().resolve("home-file"), Map.of(), "run", "job.yml");
                }),
                setting("CAPSYNC_HOME a file, for history", "is a file, not a folder", s -> {
                    write(s.root().resolve("home-file"), "");
                    return new Invocation(s.root().resolve("home-file"), Map.of(), "history", "--json");
                }),
                setting("CAPSYNC_HOME containing a backslash", "contains '\\'", s -> new Invocation(s.root().resolve("home\\x"), Map.of(), "run", "job.yml")),
                setting("CAPSYNC_HOOK_TIMEOUT not a number", "CAPSYNC_HOOK_TIMEOUT", s -> run(s, Map.of("CAPSYNC_HOOK_TIMEOUT", "soon"))),
                setting("CAPSYNC_HOOK_TIMEOUT zero", "CAPSYNC_HOOK_TIMEOUT", s -> run(s, Map.of("CAPSYNC_HOOK_TIMEOUT", "0"))),
                setting("CAPSYNC_METRICS_DIR a file", "CAPSYNC_METRICS_DIR", s -> {
                    write(s.root().resolve("metrics"), "");
                    return run(s, Map.of("CAPSYNC_METRICS_DIR", s.root().resolve("metrics").toString()));
                }),
                setting("CAPSYNC_DB_URL not PostgreSQL", "CAPSYNC_DB_URL", s -> run(s, Map.of("CAPSYNC_DB_URL", "jdbc:mysql://db/capsync"))),
                setting("CAPSYNC_DB_URL with a port out of range", "CAPSYNC_DB_URL", s -> run(s, Map.of("CAPSYNC_DB_URL",
                        "jdbc:postgresql://127.0.0.1:99999/capsync", "CAPSYNC_DB_USER", "u", "CAPSYNC_DB_PASSWORD", "p"))),
                setting("--threads 0", "--threads", s -> new Invocation(s.home(), Map.of(), "run", "job.yml", "--threads", "0")),
                setting("report --html a folder", "--html", s -> new Invocation(s.home(), Map.of(), "report", "job.yml", "--html", s.root().toString())),
                setting("report --html a link", "--html", s -> new Invocation(s.home(), Map.of(), "report", "job.yml", "--html",
                        link(s.root().resolve("r.html"), s.capsFile()).toString())),
                setting("report --html a named pipe", "--html", s -> new Invocation(s.home(), Map.of(), "report", "job.yml", "--html",
                        fifo(s.root().resolve("r.html")).toString())),
                setting("report --html the root folder", "--html", s -> new Invocation(s.home(), Map.of(), "report", "job.yml", "--html", "/")),
                setting("report --runs 0", "--runs", s -> new Invocation(s.home(), Map.of(), "report", "job.yml", "--runs", "0", "--html", "r.html")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void isRefusedWithExit2NamingTheSetting(String name, String setting, Function<TestSite, Invocation> invocation) throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        Invocation given = invocation.apply(site);

        Cli.Result result = Cli.run(given.home(), site.root(), given.env(), given.args());

        assertRefused(result, setting, site, given.home());
    }

    /** What a bad file holds is echoed with its control characters written out: one line, no escape sequence. */
    @org.junit.jupiter.api.Test
    void controlCharactersInWhatIsEchoedAreWrittenOut() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        write(site.capsFile(), "name,path\nCAP_\u001b[31mRED,/x\n");

        Cli.Result result = Cli.run(site, "run", "job.yml");

        assertRefused(result, "caps.csv:2", site, site.home());
        assertThat(result.err()).contains("CAP_\\e[31mRED").doesNotContain("\u001b");
    }

    private static void assertRefused(Cli.Result result, String fileLineOrSetting, TestSite site, Path home) throws Exception {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(fileLineOrSetting);
        assertThat(result.err().strip().lines()).as("one line, no stack trace").hasSize(1);
        assertThat(Files.exists(site.capFile("CAP_001"))).as("a CAP was touched").isFalse();
        assertThat(site.strayFilesAtCaps()).isEmpty();
        assertThat(Files.exists(home.resolve("repository"))).as("a run was recorded").isFalse();
    }

    record Invocation(Path home, Map<String, String> env, String... args) {
    }

    private static Invocation run(TestSite site, Map<String, String> env) {
        return new Invocation(site.home(), env, "run", "job.yml");
    }

    private static Arguments setting(String name, String setting, Function<TestSite, Invocation> invocation) {
        return Arguments.of(name, setting, invocation);
    }

    private static Arguments bad(String name, String fileAndLine, Consumer<TestSite> breakIt) {
        return Arguments.of(name, fileAndLine, breakIt);
    }

    private static void write(Path file, String text) {
        TestSite.write(file, text);
    }

    private static Path link(Path link, Path to) {
        try {
            return Files.createSymbolicLink(link, to);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path fifo(Path file) {
        try {
            assertThat(new ProcessBuilder("mkfifo", file.toString()).start().waitFor()).isZero();
            return file;
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
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

    private static void replaceWithPipe(Path file) {
        try {
            Files.delete(file);
            fifo(file);
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

package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.capsync.support.Cli;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line explains itself: help with examples, version, completion; and every usage error is exit 2 with one
 * clear line, a suggestion where one is near, the synopsis, and nothing touched.
 */
class CommandLineTest {

    @TempDir
    Path dir;

    @Test
    void helpListsTheCommandsWithExamplesAndExitCodes() {
        Cli.Result help = Cli.run(dir, dir, "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: capsync [-hV] [COMMAND]")
                .containsPattern("(?m)^  run\\s+Copy the job's files")
                .containsPattern("(?m)^  demo\\s+Try capsync")
                .containsPattern("(?m)^  report\\s+Write an HTML page")
                .containsPattern("(?m)^  history\\s+List job executions")
                .containsPattern("(?m)^  generate-completion\\s+")
                .contains("Examples:", "  capsync run client-lkp", "Exit codes: 0 every CAP current", "CAPSYNC_HOME")
                .doesNotContain("hold-open");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "demo", "report", "history", "show", "caps", "verify", "purge"})
    void everyCommandHasHelpWithAnExample(String command) {
        Cli.Result help = Cli.run(dir, dir, command, "--help");
        Cli.Result same = Cli.run(dir, dir, "help", command);

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: capsync " + command)
                .contains("Examples:")
                .containsPattern("(?m)^  capsync " + command + " \\S+");
        assertThat(same.out()).isEqualTo(help.out());
    }

    @Test
    void versionNamesCapsyncItsCommitBuildTimeJavaAndSpringBatch() throws IOException {
        Cli.Result version = Cli.run(dir, dir, "--version");

        assertThat(version.exitCode()).isZero();
        Properties git = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/git.properties")) {
            if ("true".equals(System.getenv("CI"))) {
                assertThat(in).as("the build of a git checkout writes git.properties").isNotNull();
            }
            if (in != null) {
                git.load(in);
            }
        }
        String commit = git.getProperty("git.commit.id.abbrev");
        assertThat(version.out()).containsPattern("^capsync \\S+, commit ")
                .contains(commit == null ? "commit unknown" : "commit " + commit)
                .as("the build time from build-info.properties, which every Maven build writes")
                .containsPattern(", built \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\n")
                .contains("Java " + System.getProperty("java.version"))
                .containsPattern("Spring Batch 6\\.\\d+\\.\\d+");
    }

    @Test
    void noCommandPrintsTheHelpAsAUsageError() {
        Cli.Result none = Cli.run(dir, dir);

        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).startsWith("capsync: a command is required").contains("Usage: capsync", "Commands:");
        assertThat(none.out()).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"rn, run", "rnu, run", "dmeo, demo", "reprot, report", "repor, report", "histroy, history", "cap, caps"})
    void aMistypedCommandIsExit2WithASuggestion(String typed, String meant) {
        Cli.Result result = Cli.run(dir, dir, typed, "client-lkp");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("capsync: unknown command '" + typed + "'\n")
                .contains("Did you mean: " + meant + "?\n")
                .contains("Try 'capsync --help' for more.");
    }

    @Test
    void aCommandFarFromAnyIsExit2WithoutAGuess() {
        Cli.Result result = Cli.run(dir, dir, "frobnicate");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("unknown command 'frobnicate'").doesNotContain("Did you mean");
    }

    @Test
    void runWithoutAJobIsExit2WithItsSynopsis() {
        Cli.Result result = Cli.run(dir, dir, "run");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("""
                capsync: missing required parameter: 'JOB'
                Usage: capsync run [-hq] [--new] [--threads=N] JOB
                Try 'capsync run --help' for more.
                """);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--thread 3      | unknown option '--thread'      | Did you mean: --threads?",
        "--threads=3 --nwe | unknown option '--nwe'      | Did you mean: --new?",
        "--threads abc   | Invalid value for option '--threads': 'abc' is not an int | ",
        "--threads 0     | --threads must be from 1 to 256, not 0 | ",
        "extra           | unexpected argument 'extra'    | "})
    void aBadOptionIsExit2AndTouchesNothing(String options, String message, String suggestion) {
        TestSite site = TestSite.withCaps(dir, 2);
        String[] args = ("run job.yml " + options.trim()).split(" +");

        Cli.Result result = Cli.run(site, args);

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).startsWith("capsync: ").containsIgnoringCase(message.trim());
        if (suggestion != null) {
            assertThat(result.err()).contains(suggestion.trim());
        }
        assertThat(Files.exists(site.capFile("CAP_001"))).as("a CAP was touched").isFalse();
        assertThat(Files.exists(site.home().resolve("repository"))).as("the repository was opened").isFalse();
    }

    @Test
    void reportWithoutHtmlIsExit2() {
        Cli.Result result = Cli.run(dir, dir, "report", "client-lkp");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("missing required option: '--html=FILE'");
    }

    @Test
    void reportOnAJobWithoutRunsIsExit2() {
        Cli.Result result = Cli.run(dir, dir, "report", "client-lkp", "--html", "r.html");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("no runs recorded in " + dir);
        assertThat(dir.resolve("r.html")).doesNotExist();
    }

    @Test
    void completionScriptLoadsInBashAndCompletesCommandsAndOptions() throws Exception {
        Cli.Result completion = Cli.run(dir, dir, "generate-completion");
        assertThat(completion.exitCode()).isZero();
        Path script = dir.resolve("capsync_completion");
        Files.writeString(script, completion.out());

        String check = "source " + script + " && complete -p capsync"
                + " && COMP_WORDS=(capsync rep) COMP_CWORD=1 COMP_LINE='capsync rep' COMP_POINT=11 && _complete_capsync"
                + " && echo \"commands: ${COMPREPLY[*]}\""
                + " && COMP_WORDS=(capsync run --) COMP_CWORD=2 COMP_LINE='capsync run --' COMP_POINT=14"
                + " && _complete_capsync 2>/dev/null; echo \"options: ${COMPREPLY[*]}\"";
        Process bash = new ProcessBuilder("bash", "-c", check).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes());
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(out).contains("complete -o default -F _complete_capsync capsync").contains("commands: report");
        String options = out.substring(out.indexOf("options: "));
        assertThat(options).contains("--new", "--threads", "--quiet", "--help");
    }

    @Test
    void aFailureOnAHomeNoCommandHadUsedIsOneLineAndItsTraceIsInTheLog() throws IOException {
        Path home = dir.resolve("never-used");

        Cli.Result result = Cli.run(home, dir, Map.of("CAPSYNC_DB_URL", "jdbc:postgresql://127.0.0.1:1/capsync",
                "CAPSYNC_DB_USER", "capsync", "CAPSYNC_DB_PASSWORD", "secret"), "history");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.err().strip()).startsWith("capsync: ").doesNotContain("\n").doesNotContain("\tat ");
        assertThat(Files.readString(home.resolve("logs/capsync.log")))
                .contains("capsync history ended with exit 1").contains("\tat org.capsync.");
    }
}

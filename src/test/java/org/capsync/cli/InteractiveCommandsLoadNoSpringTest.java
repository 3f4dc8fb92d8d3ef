package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The commands people type answer from the repository's tables, or from nothing: none of them needs Spring Batch or a
 * Spring context, and loading either would be most of their start (docs/performance.md). Checked against the JVM's
 * own record of every class a real process loaded, on a home that holds a completed run.
 */
class InteractiveCommandsLoadNoSpringTest {

    @TempDir
    static Path dir;

    private static TestSite site;

    @BeforeAll
    static void aHomeWithOneRun() throws Exception {
        site = TestSite.withCaps(dir.resolve("site"), 2);
        Process run = capsync(List.of("run", site.jobFile().toString()), dir.resolve("run.txt"), null);
        assertThat(run.exitValue()).as(Files.readString(dir.resolve("run.txt"))).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--version", "history JOB", "show 1", "caps JOB", "verify --help", "history --json JOB"})
    void loadsNeitherSpringBatchNorAContext(String command) throws Exception {
        List<String> words = new ArrayList<>();
        for (String word : command.split(" ")) {
            words.add(word.equals("JOB") ? site.jobName() : word);
        }
        String label = command.replaceAll("[^a-z0-9]+", "-");
        Path classes = dir.resolve(label + ".classes");
        Path out = dir.resolve(label + ".txt");

        Process process = capsync(words, out, classes);

        assertThat(process.exitValue()).as(Files.readString(out)).isZero();
        assertThat(Files.readString(out)).isNotBlank();
        List<String> loaded = Files.readAllLines(classes);
        assertThat(loaded).anyMatch(line -> line.contains("org.capsync.cli.CapsyncCommand "));
        assertThat(loaded).noneMatch(line -> line.contains(" org.springframework.batch."));
        assertThat(loaded).noneMatch(line -> line.contains(" org.springframework.context."));
        assertThat(loaded).noneMatch(line -> line.contains(" org.springframework.boot.SpringApplication "));
    }

    private static Process capsync(List<String> args, Path out, Path classes) throws Exception {
        List<String> command = new ArrayList<>(ClientSimulator.javaCommand());
        if (classes != null) {
            // The JVM's own record of every class it loaded, from the start of the process.
            command.add(1, "-Xlog:class+load=info:file=" + classes);
        }
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(site.root().toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().put("CAPSYNC_HOME", site.home().toString());
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return process;
    }
}

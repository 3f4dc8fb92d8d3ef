package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.capsync.demo.ClientSimulator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A class that no jar holds is looked for in every jar, and the class loader opens each of capsync's jars to do it:
 * most of what the commands that print a line cost beyond a bare JVM (docs/performance.md). Checked against the JVM's
 * own record of every exception a real process threw, which names each class looked up and not found.
 */
class VersionAndHelpLookUpNoAbsentClassTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--version", "verify --help", "history --help"})
    void looksUpNoClassThatNoJarHolds(String command) throws Exception {
        Path exceptions = dir.resolve("exceptions.txt");
        Path out = dir.resolve("out.txt");
        List<String> words = new ArrayList<>(ClientSimulator.javaCommand());
        words.add(1, "-Xlog:exceptions=info:file=" + exceptions);
        words.addAll(List.of(command.split(" ")));
        ProcessBuilder builder = new ProcessBuilder(words).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("CAPSYNC_HOME", dir.resolve("home").toString());

        Process process = builder.start();

        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(out)).isZero();
        assertThat(Files.readString(out)).isNotBlank();
        assertThat(Files.readAllLines(exceptions)).noneMatch(line -> line.contains("ClassNotFoundException"));
    }
}

package org.capsync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A heap too small for the job (here a 60 MB CAP list under {@code -Xmx32m}), in a real capsync process: one line on
 * stderr saying so and what to do, exit 1, the trace in the log only; no CAP touched.
 */
class OutOfMemoryTest {

    @TempDir
    Path dir;

    @Test
    void aHeapTooSmallIsOneLineAndExit1WithTheTraceInTheLog() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1);
        try (BufferedWriter caps = Files.newBufferedWriter(site.capsFile())) {
            caps.write("name,path\n");
            for (int i = 0; i < 600_000; i++) {
                caps.write("CAP_" + i + "," + site.capRoot("CAP_001") + "/" + i + "\n");
            }
        }
        List<String> command = new ArrayList<>(ClientSimulator.javaCommand());
        command.add(1, "-Xmx32m");
        command.addAll(List.of("run", "job.yml"));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(site.root().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("CAPSYNC_HOME", site.home().toString());
        Process capsync = builder.start();
        assertThat(capsync.waitFor(120, TimeUnit.SECONDS)).isTrue();

        String stderr = Files.readString(err);
        assertThat(capsync.exitValue()).as(stderr).isEqualTo(1);
        assertThat(stderr.strip().lines()).as(stderr).hasSize(1);
        assertThat(stderr).startsWith("capsync: out of memory").contains("-Xmx in CAPSYNC_JAVA_OPTS");
        assertThat(Files.readString(site.home().resolve("logs/capsync.log"))).contains("java.lang.OutOfMemoryError");
        assertThat(Files.exists(site.capFile("CAP_001"))).isFalse();
    }
}

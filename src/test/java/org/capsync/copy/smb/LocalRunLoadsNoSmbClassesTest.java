package org.capsync.copy.smb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run whose CAPs are all local never loads smbj: the SMB client and transport are made for the first smb:// CAP. */
class LocalRunLoadsNoSmbClassesTest {

    @TempDir
    Path dir;

    @Test
    void aRunOfLocalCapsLoadsNoSmbjClass() throws Exception {
        TestSite site = TestSite.withCaps(dir.resolve("site"), 3);
        Path classes = dir.resolve("classes.log");
        List<String> command = new ArrayList<>(ClientSimulator.javaCommand());
        // The JVM's own record of every class it loaded, from the start of the process.
        command.add(1, "-Xlog:class+load=info:file=" + classes);
        command.addAll(List.of("run", site.jobFile().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(site.root().toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile());
        builder.environment().put("CAPSYNC_HOME", site.home().toString());
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
        assertThat(Files.readString(dir.resolve("out.txt"))).contains("3 copied");
        List<String> loaded = Files.readAllLines(classes);
        assertThat(loaded).anyMatch(line -> line.contains("org.capsync.copy.LocalTransport"));
        assertThat(loaded).noneMatch(line -> line.contains("com.hierynomus."));
    }
}

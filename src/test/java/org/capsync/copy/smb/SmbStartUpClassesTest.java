package org.capsync.copy.smb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.SoftAssertions;
import org.capsync.demo.ClientSimulator;
import org.capsync.support.SambaServer;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up archive's training holds what an SMB run loads: the JVM's own class list of real runs against a real
 * Samba server (a guest share and a user share, copied and then unchanged) against the class list of a run of local CAPs
 * made as the launchers' training makes it, all with the launchers' JVM options. Exact for the SMB code's classes:
 * smbj's and its libraries' and capsync's {@code copy.smb}. The rest of the list (the JDK's classes, and a few of H2's
 * and Logback's that a second run on a used home loads) is not held to it: which of them a run loads depends on the
 * JDK's version, on timing (a lock's hold counter, for one) and on the repository's state.
 */
class SmbStartUpClassesTest {

    @RegisterExtension
    static final SambaServer samba = SambaServer.forTestClass().guestShare("caps").userShare("private").build();

    @TempDir
    Path dir;

    @Test
    void theTrainingLoadsEveryClassAnSmbRunLoads() throws Exception {
        TestSite smbSite = new TestSite(dir.resolve("smb"));
        smbSite.source("client.lkp", TestSite.bytes(16 * 1024, 1));
        smbSite.addSmbCap("GUEST_CAP", samba, "caps").addSmbCap("USER_CAP", samba, "private").writeJob();
        Set<String> smbRun = new TreeSet<>(loadedBy(smbSite, "smb-copied", List.of(), "2 copied"));
        smbRun.addAll(loadedBy(smbSite, "smb-unchanged", List.of(), "2 unchanged"));

        TestSite localSite = TestSite.withCaps(dir.resolve("local"), 1);
        Set<String> training = loadedBy(localSite, "training",
                List.of("-D" + SmbStartUpClasses.TRAINING_PROPERTY + "=true"), "1 copied");

        Set<String> missing = new TreeSet<>(smbRun);
        missing.removeAll(training);
        missing.removeIf(SmbStartUpClassesTest::outsideTheCheck);
        Set<String> notLoaded = new TreeSet<>(SmbStartUpClasses.names());
        notLoaded.removeAll(training);
        notLoaded.removeIf(SmbStartUpClassesTest::outsideTheCheck);
        if (!missing.isEmpty() || !notLoaded.isEmpty()) {
            Set<String> local = loadedBy(TestSite.withCaps(dir.resolve("plain"), 1), "plain", List.of(), "1 copied");
            Set<String> wanted = new TreeSet<>(smbRun);
            wanted.removeAll(local);
            wanted.removeIf(SmbStartUpClassesTest::fromASignedJar);
            Path proposal = Path.of("target", SmbStartUpClasses.LIST).toAbsolutePath();
            Files.write(proposal, wanted);
            SoftAssertions.assertSoftly(softly -> {
                softly.assertThat(missing).as("loaded by an SMB run but not by the training; the list as this run found"
                        + " it is in " + proposal + ", for src/main/resources/org/capsync/copy/smb/ (keep its header)")
                        .isEmpty();
                softly.assertThat(notLoaded).as("listed but not loaded by the training; the list as this run found it is in "
                        + proposal).isEmpty();
            });
        }
    }

    /** Anything but the SMB code's classes, and those of a signed jar, which the JDK never archives (BouncyCastle's). */
    private static boolean outsideTheCheck(String name) {
        return !(name.startsWith("com.hierynomus.") || name.startsWith("net.engio.")
                || name.startsWith(SmbStartUpClasses.class.getPackageName() + ".")) || fromASignedJar(name);
    }

    private static boolean fromASignedJar(String name) {
        try {
            Class<?> type = Class.forName(name, false, SmbStartUpClassesTest.class.getClassLoader());
            return type.getProtectionDomain().getCodeSource() != null
                    && type.getProtectionDomain().getCodeSource().getCodeSigners() != null;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The classes a capsync run in a child JVM loads by name, from the JVM's class list (lambdas and hidden classes left out). */
    private Set<String> loadedBy(TestSite site, String name, List<String> jvmOptions, String expected) throws Exception {
        Path list = dir.resolve(name + ".lst");
        Path out = dir.resolve(name + ".out");
        List<String> command = new ArrayList<>(ClientSimulator.javaCommand());
        command.addAll(1, jvmOptions);
        // As bin/capsync starts a run and its training.
        command.addAll(1, List.of("-Djfr.unsupported.vm=true", "-XX:+UseSerialGC", "-XX:DumpLoadedClassList=" + list));
        command.addAll(List.of("run", site.jobFile().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(site.root().toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().putAll(Map.of("CAPSYNC_HOME", site.home().toString(),
                SmbCredentials.ENV_USER, SambaServer.USER, SmbCredentials.ENV_PASSWORD, SambaServer.PASSWORD));
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(out)).isZero();
        assertThat(Files.readString(out)).contains(expected);
        return classNames(list);
    }

    private static Set<String> classNames(Path list) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(list)) {
            if (line.isEmpty() || line.startsWith("@") || line.startsWith("#")) {
                continue;
            }
            String name = line.split(" ", 2)[0];
            if (!name.contains("$$Lambda") && !name.contains("LambdaForm$") && !name.contains("/0x")
                    && !name.contains("$Proxy")) {
                names.add(name.replace('/', '.'));
            }
        }
        return names;
    }
}

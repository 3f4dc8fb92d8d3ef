package org.capsync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.capsync.support.Cli;
import org.capsync.support.Repository;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A run is stopped, the job is changed (or another job file of the same name is given), and {@code capsync run} is
 * called again: it resumes only a run planned from the job as it is defined now. Otherwise it says so in one line,
 * abandons the old run and starts a new one, so that exit 0 means every CAP of the job given now is current. One row
 * per kind of change; the last rows are changes a restart may resume across.
 */
class RestartAfterChangeTest {

    @TempDir
    Path dir;

    static Stream<Arguments> changes() {
        return Stream.of(
                change("a CAP added to the list", true, site -> site.addCap("CAP_003").writeJob()),
                change("another job file with the same name in another folder", true,
                        site -> TestSite.withCaps(site.root().resolveSibling("other"), 3).retry("{ attempts: 2, delay: 100ms }")),
                change("a CAP disabled", true, site -> {
                    TestSite.write(site.capsFile(), "name,path,enabled\nCAP_001," + site.capRoot("CAP_001") + ",false\nCAP_002,"
                            + site.capRoot("CAP_002") + ",true\n");
                    return site;
                }),
                change("a CAP removed from the list", true, site -> {
                    TestSite.write(site.capsFile(), "name,path\nCAP_002," + site.capRoot("CAP_002") + "\n");
                    return site;
                }),
                change("another source folder", true, site -> {
                    copy(site.root().resolve("inbox/client.lkp"), site.root().resolve("inbox2/client.lkp"));
                    replace(site.jobFile(), "source: inbox", "source: inbox2");
                    return site;
                }),
                change("a CAP's path changed", true, site -> {
                    Path moved = site.root().resolve("moved/CAP_002");
                    mkdirs(moved.resolve("clidata.box"));
                    TestSite.write(site.capsFile(), "name,path\nCAP_001," + site.capRoot("CAP_001") + "\nCAP_002," + moved + "\n");
                    return site;
                }),
                change("another target folder", true, site -> {
                    replace(site.jobFile(), "target: clidata.box", "target: clidata.new");
                    site.caps().forEach(cap -> mkdirs(site.capRoot(cap).resolve("clidata.new")));
                    return site;
                }),
                change("retry settings changed", false, site -> site.retry("{ attempts: 5, delay: 100ms }")),
                change("threads changed", false, site -> site.threads(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void aRestartResumesOnlyARunPlannedFromTheJobAsDefinedNow(String name, boolean startsNew, UnaryOperator<TestSite> change)
            throws Exception {
        TestSite site = TestSite.withCaps(dir.resolve("site"), 2).retry("{ attempts: 30, delay: 1s, multiplier: 1 }");
        OverlapAndStopTest.killWhileRetrying(site, "CAP_001");
        TestSite now = change.apply(site);

        Cli.Result again = Cli.run(site.home(), now.root(), "run", "job.yml");

        assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
        for (String cap : now.caps()) {
            if ((name.equals("a CAP disabled") || name.equals("a CAP removed from the list")) && cap.equals("CAP_001")) {
                assertThat(Files.readAllBytes(now.capFile(cap))).as("a CAP not in the job now was written").containsExactly(1);
            } else if (name.equals("a CAP's path changed") && cap.equals("CAP_002")) {
                assertThat(Files.readAllBytes(now.root().resolve("moved/CAP_002/clidata.box/client.lkp"))).isEqualTo(now.sourceBytes());
            } else {
                Path target = name.equals("another target folder")
                        ? now.capRoot(cap).resolve("clidata.new/client.lkp") : now.capFile(cap);
                assertThat(Files.readAllBytes(target)).as(cap).isEqualTo(now.sourceBytes());
            }
        }
        // The console lines go to the process's stdout (cron's mail) and to the job's log, read here.
        String log = Files.readString(site.home().resolve("logs/client-lkp.log"));
        long instances = Repository.count(site.home(), "SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION");
        if (startsNew) {
            assertThat(log).containsPattern("client-lkp: not resuming execution \\d+: .*; abandoning it and starting a new run");
            assertThat(instances).as("a new run").isEqualTo(2);
            assertThat(Repository.count(site.home(), "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'ABANDONED'")).isEqualTo(1);
        } else {
            assertThat(log).doesNotContain("not resuming");
            assertThat(instances).as("the stopped run resumed").isEqualTo(1);
        }
        if (name.startsWith("another job file")) {
            assertThat(log).contains("planned from the job file " + site.jobFile().toRealPath());
        }
    }

    private static Arguments change(String name, boolean startsNew, UnaryOperator<TestSite> change) {
        return Arguments.of(name, startsNew, change);
    }

    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void mkdirs(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void replace(Path file, String text, String replacement) {
        try {
            String content = Files.readString(file);
            assertThat(content).contains(text);
            Files.writeString(file, content.replace(text, replacement));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

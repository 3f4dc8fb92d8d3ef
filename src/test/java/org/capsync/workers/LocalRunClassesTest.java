package org.capsync.workers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.capsync.support.CapsyncProcess;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local run (no {@code workers: true}) pays nothing for workers: the JVM's own class-loading log of a real run shows
 * no class of the broker client, JMS, Spring Integration, Spring Batch's integration module, Reactor (which Spring
 * detects and loads hundreds of classes of when it is on the class path) or capsync's workers.
 */
class LocalRunClassesTest {

    @TempDir
    Path dir;

    @Test
    void aLocalRunLoadsNoBrokerOrIntegrationClass() throws Exception {
        TestSite site = TestSite.withCaps(dir.resolve("site"), 3);
        Path classes = dir.resolve("classes.log");

        CapsyncProcess run = CapsyncProcess.run(site, Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classes),
                "run", site.jobFile().toString());

        assertThat(run.waitFor(120)).as(run.output()).isZero();
        List<String> loaded = Files.readAllLines(classes);
        assertThat(loaded).as("the log names the classes a run loads").anyMatch(l -> l.contains("org.capsync.run.RunCoordinator"));
        assertThat(loaded).noneMatch(l -> l.contains("org.apache.activemq"))
                .noneMatch(l -> l.contains("jakarta.jms"))
                .noneMatch(l -> l.contains("org.springframework.jms"))
                .noneMatch(l -> l.contains("org.springframework.integration"))
                .noneMatch(l -> l.contains("org.springframework.batch.integration"))
                .noneMatch(l -> l.contains(" reactor."))
                .noneMatch(l -> l.contains("org.capsync.workers"))
                .noneMatch(l -> l.contains("org.capsync.cli.DistributedRun"));
    }
}

package org.capsync.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.capsync.support.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a new site server gets it: unpacked into a folder whose path has a space, run with a PATH of
 * basic tools and java only (no Maven), from another folder, with the sources and the Maven repository out of reach
 * (hidden in a mount namespace when the test runs as root). Every command works as from the source tree.
 */
class ReleaseArchiveIT {

    @TempDir
    Path dir;

    @Test
    void unpackedAnywhereItRunsTheDemoAndTheHistoryWithOnlyAJavaRuntime() throws Exception {
        Release release = Release.built();
        Path app = release.unpack(dir.resolve("site server/capsync apps"));
        Path home = dir.resolve("capsync home");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Map<String, String> env = new HashMap<>(Map.of("PATH", Invocation.minimalPath(dir.resolve("tools")).toString(),
                "HOME", dir.toString(), "CAPSYNC_HOME", home.toString()));
        assertThat(Files.exists(dir.resolve("tools/mvn"))).isFalse();
        Map<String, String> installed = Release.listing(app);
        String capsync = app.resolve("bin/capsync").toString();

        Cli.Result version = new Invocation(List.of(capsync, "--version"), env, elsewhere).withoutSources()
                .run(Duration.ofMinutes(3));
        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).containsPattern("^capsync " + release.version().replace(".", "\\.") + ", commit \\S+ .*, built \\d{4}-")
                .contains("Java " + System.getProperty("java.specification.version"));
        assertThat(version.err()).as("no build: the archive needs no Maven").doesNotContain("build");

        Cli.Result demo = new Invocation(List.of(capsync, "demo"), env, elsewhere).withoutSources()
                .run(Duration.ofMinutes(3));
        assertThat(demo.exitCode()).as(demo.out() + demo.err()).isEqualTo(3);
        assertThat(demo.out()).containsPattern("demo: 19 copied, 0 unchanged, 1 skipped, 0 failed \\(execution \\d+, COMPLETED_WITH_SKIPS\\)");

        Cli.Result history = new Invocation(List.of(capsync, "history", "demo", "--json"), env, elsewhere)
                .withoutSources().run(Duration.ofMinutes(2));
        assertThat(history.exitCode()).as(history.err()).isZero();
        JsonNode runs = new ObjectMapper().readTree(history.out());
        assertThat(runs.isArray()).isTrue();
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).get("job").asText()).isEqualTo("demo");
        assertThat(runs.get(0).get("status").asText()).isEqualTo("COMPLETED_WITH_SKIPS");
        assertThat(runs.get(0).get("copied").asInt()).isEqualTo(19);
        assertThat(runs.get(0).get("skipped").asInt()).isEqualTo(1);

        // Java 17 serves none of capsync's classes from an archive made in a path with a space (JDK-8339460; later
        // Java versions may not have the defect): the launcher checks what it made, and either keeps an archive that
        // gives capsync's classes, or says so once, keeps none and does not try again.
        Path cds = home.resolve("cache/cds");
        if (version.err().contains("cannot use a start-up archive for an installation whose path has a space")) {
            assertThat(demo.err() + history.err()).doesNotContain("start-up archive");
            try (Stream<Path> files = Files.list(cds)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("in " + cds)
                        .noneMatch(name -> name.endsWith(".jsa") || name.startsWith("training"))
                        .anyMatch(name -> name.endsWith("-failed"));
            }
        } else {
            Release.startUpArchives(cds);
            Path classes = dir.resolve("classes.log");
            Map<String, String> logged = new HashMap<>(env);
            logged.put("CAPSYNC_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
            Cli.Result again = new Invocation(List.of(capsync, "--version"), logged, elsewhere).withoutSources()
                    .run(Duration.ofMinutes(2));
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(Files.readAllLines(classes)).as("capsync's main class from the archive kept")
                    .anyMatch(line -> line.contains(" org.capsync.CapsyncApplication ") && line.endsWith("source: shared objects file"));
        }

        assertThat(Release.listing(app)).as("nothing written in the installation").isEqualTo(installed);
    }
}

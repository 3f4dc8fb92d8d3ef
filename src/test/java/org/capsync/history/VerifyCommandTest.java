package org.capsync.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.capsync.support.HistoryJson.row;
import static org.capsync.support.HistoryJson.rows;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.capsync.demo.ClientSimulator;
import org.capsync.support.Cli;
import org.capsync.support.HistoryJson;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/** {@code capsync verify}: every CAP against the source as it is now, read-only, recording nothing. */
class VerifyCommandTest {

    @TempDir
    Path dir;

    @Test
    void saysWhichCapsHoldTheSourceWithoutWritingAnythingOrOpeningTheRepository() throws Exception {
        TestSite site = TestSite.withCaps(dir, 5);
        byte[] source = site.sourceBytes();
        String sha = HistoryCommandsTest.sha256(source);
        Files.write(site.capFile("CAP_001"), source);
        byte[] old = TestSite.bytes(300, 42);
        Files.write(site.capFile("CAP_002"), old);
        Files.delete(site.capFile("CAP_004").getParent());
        FileSystemUtils.deleteRecursively(site.capRoot("CAP_005"));
        Map<Path, String> before = snapshotOfCaps(site);

        JsonNode verdicts;
        // A client holding CAP_002's file open does not keep verify from reading it.
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(1))) {
            Cli.Result result = Cli.run(site, "verify", "job.yml", "--json");
            assertThat(result.exitCode()).as(result.err()).isEqualTo(3);
            verdicts = HistoryJson.parse(result.out());
        }
        List<JsonNode> checks = new java.util.ArrayList<>();
        verdicts.forEach(checks::add);

        assertThat(checks).extracting(c -> c.path("cap").asText()).containsExactly("CAP_001", "CAP_002", "CAP_003", "CAP_004", "CAP_005");
        JsonNode current = row(checks, "cap", "CAP_001");
        assertThat(current.path("status").asText()).isEqualTo("CURRENT");
        assertThat(current.path("file").asText()).isEqualTo("client.lkp");
        assertThat(current.path("path").asText()).isEqualTo(site.capFile("CAP_001").toString());
        assertThat(current.path("bytes").asLong()).isEqualTo(source.length);
        assertThat(current.path("sha256").asText()).isEqualTo(sha);
        assertThat(current.path("sourceSha256").asText()).isEqualTo(sha);
        assertThat(current.path("error").isNull()).isTrue();

        JsonNode differs = row(checks, "cap", "CAP_002");
        assertThat(differs.path("status").asText()).isEqualTo("DIFFERS");
        assertThat(differs.path("bytes").asLong()).isEqualTo(old.length);
        assertThat(differs.path("sha256").asText()).isEqualTo(HistoryCommandsTest.sha256(old));
        assertThat(differs.path("sourceSha256").asText()).isEqualTo(sha);

        JsonNode missing = row(checks, "cap", "CAP_003");
        assertThat(missing.path("status").asText()).isEqualTo("MISSING");
        assertThat(missing.path("bytes").isNull()).isTrue();
        assertThat(missing.path("sha256").isNull()).isTrue();

        JsonNode noFolder = row(checks, "cap", "CAP_004");
        assertThat(noFolder.path("status").asText()).isEqualTo("UNREACHABLE");
        assertThat(noFolder.path("error").asText()).contains("clidata.box", "not found");
        JsonNode noCap = row(checks, "cap", "CAP_005");
        assertThat(noCap.path("status").asText()).isEqualTo("UNREACHABLE");
        assertThat(noCap.path("error").asText()).contains("CAP_005", "not found");

        assertThat(snapshotOfCaps(site)).as("nothing written at any CAP").isEqualTo(before);
        assertThat(site.home()).as("no repository, nothing recorded as a run").doesNotExist();

        Cli.Result table = Cli.run(site, "verify", "job.yml");
        assertThat(table.exitCode()).isEqualTo(3);
        assertThat(table.out()).contains("CAP_003  client.lkp  MISSING")
                .contains("client-lkp: 1 current, 1 differ, 1 missing, 2 unreachable (nothing was written)");
        Cli.Result csv = Cli.run(site, "verify", "job.yml", "--csv");
        var parsed = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(csv.out()));
        assertThat(parsed.getHeaderNames()).containsExactly("cap", "file", "status", "bytes", "sha256", "sourceSha256", "path", "error");
        assertThat(parsed.getRecords()).extracting(r -> r.get("status"))
                .containsExactly("CURRENT", "DIFFERS", "MISSING", "UNREACHABLE", "UNREACHABLE");
    }

    @Test
    void exits0WhenEveryCapHoldsTheSourceAndRecordsNoRun() {
        TestSite site = TestSite.withCaps(dir, 3);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        List<JsonNode> history = rows(site, "history");

        Cli.Result result = Cli.run(site, "verify", "job.yml");

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("client-lkp: 3 current, 0 differ, 0 missing, 0 unreachable");
        assertThat(rows(site, "history")).isEqualTo(history);
    }

    /** A copy with the right bytes that clients may not read (umask 077 at the writer) is flagged, and run repairs it. */
    @Test
    void aCopyClientsCannotReadIsFlaggedAndTheNextRunFixesIt() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        Files.setPosixFilePermissions(site.capFile("CAP_002"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        Cli.Result result = Cli.run(site, "verify", "job.yml", "--json");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(3);
        List<JsonNode> checks = new java.util.ArrayList<>();
        HistoryJson.parse(result.out()).forEach(checks::add);
        assertThat(row(checks, "cap", "CAP_001").path("status").asText()).isEqualTo("CURRENT");
        JsonNode unreadable = row(checks, "cap", "CAP_002");
        assertThat(unreadable.path("status").asText()).isEqualTo("UNREADABLE");
        assertThat(unreadable.path("error").asText()).contains("not readable by clients", "rw-------");
        assertThat(unreadable.path("sha256").asText()).isEqualTo(unreadable.path("sourceSha256").asText());

        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(site.capFile("CAP_002"))))
                .isEqualTo("rw-r--r--");
        assertThat(Cli.run(site, "verify", "job.yml").exitCode()).isZero();
    }

    /** A copy of another size differs whatever it holds: it is not read (a CAP writer's huge sparse file would be). */
    @Test
    void aCopyOfAnotherSizeDiffersWithoutBeingRead() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1);
        try (java.io.RandomAccessFile huge = new java.io.RandomAccessFile(site.capFile("CAP_001").toFile(), "rw")) {
            huge.setLength(1L << 32); // sparse: 4 GB of nothing
        }

        Cli.Result result = Cli.run(site, "verify", "job.yml", "--json");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(3);
        JsonNode check = HistoryJson.parse(result.out()).get(0);
        assertThat(check.path("status").asText()).isEqualTo("DIFFERS");
        assertThat(check.path("bytes").asLong()).isEqualTo(1L << 32);
        assertThat(check.path("sha256").isNull()).isTrue();
    }

    /** In a folder only its owner may enter, an owner-only copy is left as it is by run, and verify agrees. */
    @Test
    void anOwnerOnlyCopyInAnOwnerOnlyFolderIsCurrentForVerifyAsForRun() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        Files.setPosixFilePermissions(site.capFile("CAP_002"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(site.capFile("CAP_002").getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

        assertThat(Cli.run(site, "run", "job.yml").lastLine()).contains("0 copied, 2 unchanged");
        Cli.Result result = Cli.run(site, "verify", "job.yml");

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("client-lkp: 2 current");
    }

    @Test
    void aMissingOrBrokenJobIsExit2() {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "verify", "nightly").exitCode()).isEqualTo(2);
        TestSite.write(site.capsFile(), "name,path\nCAP_001,/x\nCAP_001,/y\n");
        Cli.Result broken = Cli.run(site, "verify", "job.yml");
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err()).contains("caps.csv:3");
    }

    /** Every file under the CAP folders with its size and modification time. */
    private static Map<Path, String> snapshotOfCaps(TestSite site) throws IOException {
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(site.root().resolve("caps"))) {
            for (Path p : walk.toList()) {
                files.put(p, Files.isDirectory(p) ? "dir" : Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return files;
    }
}

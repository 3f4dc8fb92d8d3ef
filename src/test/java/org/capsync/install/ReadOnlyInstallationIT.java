package org.capsync.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import org.capsync.support.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An installation owned by root and run by users who cannot write to it: each user's start-up archive is made in their
 * own CAPSYNC_HOME, two starts at once still end with one whole set of archives, and nothing is ever written under the
 * installation folder. Needs root (to own the installation and to run as another user): skipped otherwise, except under
 * CI=true, where it fails.
 */
class ReadOnlyInstallationIT {

    private static final String USER = "capsync-it";

    /** The archive required, and the JVM's line that names the one it opened. */
    private static final String STRICT = "-Xshare:on -Xlog:cds=info:stderr";
    private static final String OPENED = "\\[cds\\] Opened archive [^ ]*-";

    private Path dir;
    private boolean userCreated;

    @BeforeEach
    void asRoot() throws Exception {
        if (!Invocation.root()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the read-only installation test needs root (to own the installation and run as another user)");
            }
            Assumptions.abort("needs root, to own the installation and to run capsync as another user");
        }
        // Not JUnit's @TempDir: that folder is readable by its owner only, and the other user must reach the installation.
        dir = Files.createTempDirectory("capsync-readonly");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Result exists = root(List.of("id", USER));
        if (exists.exitCode() != 0) {
            Cli.Result add = root(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER));
            assertThat(add.exitCode()).as(add.err()).isZero();
            userCreated = true;
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (dir != null) {
            root(List.of("rm", "-rf", dir.toString()));
        }
        if (userCreated) {
            root(List.of("userdel", USER));
            root(List.of("rm", "-rf", "/tmp/hsperfdata_" + USER));
        }
    }

    @Test
    void eachUserGetsAnArchiveInTheirOwnHomeAndTheInstallationStaysUntouched() throws Exception {
        // No space in the path: Java 17 serves no class of capsync's from an archive made in one (ReleaseArchiveIT).
        Path app = Release.built().unpack(dir.resolve("opt/capsync"));
        assertThat(Files.getOwner(app.resolve("lib/capsync.jar")).getName()).isEqualTo("root");
        Map<String, String> installed = Release.listing(app);
        Path tools = Invocation.minimalPath(dir.resolve("tools"));

        // A user who cannot write to the installation.
        Path userHome = Files.createDirectories(dir.resolve("home"));
        assertThat(root(List.of("chown", USER, userHome.toString())).exitCode()).isZero();
        Path capsyncHome = userHome.resolve("capsync");
        Map<String, String> env = Map.of("PATH", tools.toString(), "HOME", userHome.toString(), "CAPSYNC_HOME", capsyncHome.toString());
        Cli.Result cannotWrite = new Invocation(List.of("mkdir", app.resolve("probe").toString()), env, userHome).as(USER)
                .run(Duration.ofSeconds(30));
        assertThat(cannotWrite.exitCode()).as("the installation is read-only to the user").isNotZero();

        Path site = sitedFor(userHome);
        Cli.Result first = new Invocation(List.of(app.resolve("bin/capsync").toString(), "run", site.resolve("job.yml").toString()),
                env, userHome).as(USER).run(Duration.ofMinutes(3));
        assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
        assertThat(first.err()).contains("preparing the start-up archive");
        assertThat(first.lastLine()).startsWith("ro: 1 copied");
        List<Path> archives = Release.startUpArchives(capsyncHome.resolve("cache/cds"));
        for (Path archive : archives) {
            assertThat(Files.getOwner(archive).getName()).isEqualTo(USER);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(capsyncHome)))
                .as("CAPSYNC_HOME made by the launcher is the owner's only, as capsync makes it").isEqualTo("rwx------");

        // -Xshare:on makes the JVM fail rather than run without an archive, and the JVM's own log names the one it
        // opened: each kind of command maps the archive made for it.
        Map<String, String> strict = new java.util.HashMap<>(env);
        strict.put("CAPSYNC_JAVA_OPTS", STRICT);
        Cli.Result again = new Invocation(List.of(app.resolve("bin/capsync").toString(), "run", site.resolve("job.yml").toString()),
                strict, userHome).as(USER).run(Duration.ofMinutes(2));
        assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
        assertThat(again.err()).doesNotContain("preparing").containsPattern(OPENED + "run\\.jsa");
        // The run's archive gives capsync's classes, and those of an smb:// CAP, which its training had no server to
        // load them with: loaded by name here as the training does, every one comes from the archive.
        Path classes = userHome.resolve("classes.log");
        Map<String, String> training = new java.util.HashMap<>(env);
        training.put("CAPSYNC_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes + " -Dcapsync.start-up-training=true");
        Cli.Result verify = new Invocation(List.of(app.resolve("bin/capsync").toString(), "verify"), training, userHome)
                .as(USER).run(Duration.ofMinutes(2));
        assertThat(verify.exitCode()).as(verify.err()).isEqualTo(2);
        List<String> loaded = Files.readAllLines(classes);
        assertThat(loaded).as("capsync's main class").anyMatch(line -> line.contains(" org.capsync.CapsyncApplication ")
                && line.endsWith("source: shared objects file"));
        assertThat(loaded.stream().filter(line -> line.contains(" com.hierynomus.")).toList()).as("smbj's classes")
                .hasSizeGreaterThan(100).allMatch(line -> line.endsWith("source: shared objects file"));
        // And a history command, on the archive of its own kind.
        Cli.Result history = new Invocation(List.of(app.resolve("bin/capsync").toString(), "history", "ro"), strict, userHome)
                .as(USER).run(Duration.ofMinutes(2));
        assertThat(history.exitCode()).as(history.out() + history.err()).isZero();
        assertThat(history.out()).containsPattern(" ro +COMPLETED ");
        assertThat(history.err()).doesNotContain("preparing").containsPattern(OPENED + "query\\.jsa");

        // A second user (root here) with a fresh home, started twice at once: one whole set, both runs fine.
        Path rootHome = dir.resolve("root-home");
        Map<String, String> rootEnv = Map.of("PATH", tools.toString(), "HOME", dir.toString(), "CAPSYNC_HOME", rootHome.toString());
        List<CompletableFuture<Cli.Result>> both = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            both.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new Invocation(List.of(app.resolve("bin/capsync").toString(), "--version"), rootEnv, dir).run(Duration.ofMinutes(3));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Cli.Result> start : both) {
            Cli.Result result = start.get();
            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(result.out()).startsWith("capsync ");
        }
        List<Path> rootArchives = Release.startUpArchives(rootHome.resolve("cache/cds"));
        Cli.Result strictRoot = new Invocation(List.of(app.resolve("bin/capsync").toString(), "--version"),
                Map.of("PATH", tools.toString(), "HOME", dir.toString(), "CAPSYNC_HOME", rootHome.toString(),
                        "CAPSYNC_JAVA_OPTS", STRICT), dir).run(Duration.ofMinutes(2));
        assertThat(strictRoot.exitCode()).as(strictRoot.err()).isZero();
        assertThat(strictRoot.err()).containsPattern("\\[cds\\] Opened archive "
                + Pattern.quote(rootArchives.get(0).getParent().toString()) + "/[^ ]*-plain\\.jsa");

        assertThat(Release.listing(app)).as("nothing written in the installation").isEqualTo(installed);
    }

    /** A one-CAP job in the user's folder. */
    private Path sitedFor(Path userHome) throws Exception {
        Path site = userHome.resolve("site");
        Files.createDirectories(site.resolve("inbox"));
        Files.createDirectories(site.resolve("cap/box"));
        Files.writeString(site.resolve("inbox/client.lkp"), "lookup");
        Files.writeString(site.resolve("caps.csv"), "name,path\nCAP_1," + site.resolve("cap") + "\n");
        Files.writeString(site.resolve("job.yml"), "name: ro\nsource: inbox\nfiles: [client.lkp]\ncaps: caps.csv\ntarget: box\n");
        assertThat(root(List.of("chown", "-R", USER, site.toString())).exitCode()).isZero();
        return site;
    }

    private Cli.Result root(List<String> command) throws Exception {
        return new Invocation(command, Map.of(), Path.of("/")).run(Duration.ofMinutes(1));
    }
}

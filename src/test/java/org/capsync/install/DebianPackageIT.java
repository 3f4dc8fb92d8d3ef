package org.capsync.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.capsync.support.Cli;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * capsync_VERSION_all.deb: its control data and contents, and, when the test runs as root on a machine without capsync
 * installed, the real thing: dpkg -i, a job run as the capsync user by the timer's service (its ExecStart, as systemd
 * would start it: systemctl is not available in every sandbox), dpkg -r keeping /etc/capsync and the repository, and
 * dpkg --purge leaving the machine as it was.
 */
class DebianPackageIT {

    private static final List<String> CONFFILES = List.of("/etc/capsync/client-lkp.yml", "/etc/capsync/client-lkp.caps.csv",
            "/etc/capsync/run-client-lkp.sh", "/etc/capsync/capsync.env");

    @Test
    void theControlDataAndContentsLayCapsyncOutAsADebianSystemService() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")) || "true".equals(System.getenv("CI")),
                "no dpkg-deb on this machine to read the package with");
        Release release = Release.built();
        assertThat(release.deb()).exists();

        Cli.Result info = dpkgDeb("--info", release.deb().toString());
        assertThat(info.out()).contains("Package: capsync", "Architecture: all", "Version: " + release.version().replace('-', '~'))
                .containsPattern("Depends: .*java17-runtime-headless");
        Cli.Result conffiles = dpkgDeb("--info", release.deb().toString(), "conffiles");
        assertThat(conffiles.out().lines().toList()).containsExactlyInAnyOrderElementsOf(CONFFILES);
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(dpkgDeb("--info", release.deb().toString(), script).out()).startsWith("#!/bin/sh");
        }

        Map<String, String> contents = new LinkedHashMap<>();
        for (String line : dpkgDeb("--contents", release.deb().toString()).out().lines().toList()) {
            String[] f = line.split("\\s+", 6);
            contents.put(f[5].replaceFirst("^\\.", "").replaceFirst(" -> .*", ""), f[0] + " " + f[1]
                    + (f[5].contains(" -> ") ? f[5].substring(f[5].indexOf(" -> ")) : ""));
        }
        assertThat(contents.get("/usr/bin/capsync")).startsWith("l").endsWith("-> ../share/capsync/bin/capsync");
        assertThat(contents.get("/usr/share/capsync/bin/capsync")).startsWith("-rwxr-xr-x root/root");
        assertThat(contents.get("/usr/share/capsync/lib/capsync.jar")).startsWith("-rw-r--r-- root/root");
        assertThat(contents.get("/usr/share/capsync/jobs")).as("capsync run NAME finds /etc/capsync/NAME.yml").endsWith("-> /etc/capsync");
        assertThat(contents.get("/etc/capsync/capsync.env")).as("it may hold secrets").startsWith("-rw------- root/root");
        assertThat(contents).containsKeys("/lib/systemd/system/capsync-client-lkp.service", "/lib/systemd/system/capsync-client-lkp.timer",
                "/usr/share/capsync/README.md", "/usr/share/capsync/LICENSE", "/usr/share/doc/capsync/copyright");
        assertThat(contents.keySet()).as("nothing for the user or the runs: postinst makes those").noneMatch(p -> p.startsWith("/var/"));
    }

    @Test
    void installedItRunsTheJobAsTheCapsyncUserAndRemovalKeepsTheConfigurationAndTheRepository() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        String why = !Invocation.root() ? "needs root, to install the package"
                : !Files.isExecutable(Path.of("/usr/bin/dpkg")) ? "no dpkg on this machine"
                : sh("dpkg-query -W capsync || getent passwd capsync || test -e /etc/capsync || test -e /var/lib/capsync").exitCode() == 0
                        ? "capsync is installed on this machine (or its user or folders are left): not touching it" : null;
        if (why != null) {
            if (ci) {
                fail("CI=true: " + why);
            }
            Assumptions.abort(why);
        }
        Release release = Release.built();
        Path site = Files.createTempDirectory("capsync-deb");
        try {
            Cli.Result install = sh("dpkg -i '" + release.deb() + "'");
            assertThat(install.exitCode()).as(install.out() + install.err()).isZero();

            assertThat(sh("getent passwd capsync").out()).contains(":/var/lib/capsync:");
            assertThat(owner(Path.of("/var/lib/capsync"))).isEqualTo("capsync rwx------");
            assertThat(Path.of("/var/log/capsync")).isDirectory();
            assertThat(Files.readSymbolicLink(Path.of("/var/lib/capsync/logs"))).isEqualTo(Path.of("/var/log/capsync"));
            Cli.Result version = sh("capsync --version");
            assertThat(version.exitCode()).as(version.err()).isZero();
            assertThat(version.out()).contains("capsync " + release.version()).contains("Java ");

            // The site: an inbox and two CAPs the capsync user may write to; the job in /etc/capsync, as an administrator edits it.
            Files.setPosixFilePermissions(site, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(site.resolve("inbox"));
            Files.writeString(site.resolve("inbox/client.lkp"), "lookup table");
            for (String cap : List.of("cap1", "cap2")) {
                Files.createDirectories(site.resolve(cap).resolve("clidata.box"));
            }
            assertThat(sh("chown -R capsync '" + site + "'").exitCode()).isZero();
            String job = Files.readString(Path.of("/etc/capsync/client-lkp.yml"))
                    .replaceFirst("(?m)^source: .*$", "source: " + site.resolve("inbox"));
            Files.writeString(Path.of("/etc/capsync/client-lkp.yml"), job);
            Files.writeString(Path.of("/etc/capsync/client-lkp.caps.csv"),
                    "name,path\nCAP_1," + site.resolve("cap1") + "\nCAP_2," + site.resolve("cap2") + "\n");

            Cli.Result run = asTheServiceRunsIt(Path.of("/lib/systemd/system/capsync-client-lkp.service"));
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(run.lastLine()).startsWith("client-lkp: 2 copied");
            assertThat(site.resolve("cap1/clidata.box/client.lkp")).hasContent("lookup table");
            assertThat(owner(site.resolve("cap2/clidata.box/client.lkp"))).startsWith("capsync ");
            assertThat(Path.of("/var/log/capsync/client-lkp.log")).exists();
            assertThat(Path.of("/var/lib/capsync/repository")).isDirectory();
            Release.startUpArchives(Path.of("/var/lib/capsync/cache/cds"));

            Cli.Result remove = sh("dpkg -r capsync");
            assertThat(remove.exitCode()).as(remove.err()).isZero();
            assertThat(Path.of("/usr/bin/capsync")).doesNotExist();
            assertThat(Path.of("/usr/share/capsync")).doesNotExist();
            assertThat(Path.of("/etc/capsync/client-lkp.yml")).as("remove keeps the configuration").hasContent(job);
            assertThat(Path.of("/etc/capsync/capsync.env")).exists();
            assertThat(Path.of("/var/lib/capsync/repository")).as("remove keeps the repository").isDirectory();

            Cli.Result purge = sh("dpkg --purge capsync");
            assertThat(purge.exitCode()).as(purge.err()).isZero();
            assertThat(Path.of("/etc/capsync")).doesNotExist();
            assertThat(Path.of("/var/lib/capsync")).as("purge removes the data, as docs/installing.md says").doesNotExist();
            assertThat(Path.of("/var/log/capsync")).doesNotExist();
            assertThat(sh("getent passwd capsync").exitCode()).as("the package keeps its system user").isZero();
        } finally {
            // The JVM's own /tmp/hsperfdata_capsync goes with the user.
            sh("dpkg --purge capsync >/dev/null 2>&1; userdel capsync 2>/dev/null; groupdel capsync 2>/dev/null;"
                    + " rm -rf /tmp/hsperfdata_capsync '" + site + "'");
        }
    }

    /** The unit's ExecStart as systemd starts it: as its User, with its Environment and EnvironmentFile, nothing else. */
    private static Cli.Result asTheServiceRunsIt(Path unit) throws Exception {
        String execStart = null;
        String user = null;
        List<String> env = new ArrayList<>(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        for (String line : Files.readAllLines(unit)) {
            if (line.startsWith("ExecStart=")) {
                execStart = line.substring("ExecStart=".length());
            } else if (line.startsWith("User=")) {
                user = line.substring("User=".length());
            } else if (line.startsWith("Environment=")) {
                env.add(line.substring("Environment=".length()));
            } else if (line.startsWith("EnvironmentFile=")) {
                Path file = Path.of(line.substring("EnvironmentFile=".length()).replaceFirst("^-", ""));
                for (String setting : Files.readAllLines(file)) {
                    if (!setting.isBlank() && !setting.startsWith("#")) {
                        env.add(setting.strip());
                    }
                }
            }
        }
        assertThat(execStart).isEqualTo("/usr/share/capsync/jobs/run-client-lkp.sh");
        assertThat(Path.of(execStart)).isExecutable();
        assertThat(user).isEqualTo("capsync");
        List<String> command = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", user, "--", "/usr/bin/env", "-i"));
        command.addAll(env);
        command.add(execStart);
        return new Invocation(command, Map.of(), Path.of("/")).run(Duration.ofMinutes(4));
    }

    private static String owner(Path path) throws Exception {
        return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName() + " "
                + PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static Cli.Result dpkgDeb(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("dpkg-deb"));
        command.addAll(List.of(args));
        Cli.Result result = new Invocation(command, Map.of(), Path.of("/")).run(Duration.ofMinutes(1));
        assertThat(result.exitCode()).as(result.err()).isZero();
        return result;
    }

    private static Cli.Result sh(String script) throws Exception {
        return new Invocation(List.of("/bin/sh", "-c", script), Map.of(), Path.of("/")).run(Duration.ofMinutes(3));
    }
}

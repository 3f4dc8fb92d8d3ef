package org.capsync.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** capsync's release files as {@code package} left them in target/, before the installation tests run. */
record Release(Path tarGz, Path zip, Path deb, String version) {

    static Release built() throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        List<Path> archives;
        try (Stream<Path> files = Files.list(target)) {
            archives = files.filter(f -> f.getFileName().toString().matches("capsync-.+\\.tar\\.gz")).toList();
        }
        assertThat(archives).as("package makes one capsync-VERSION.tar.gz in " + target).hasSize(1);
        String name = archives.get(0).getFileName().toString();
        String version = name.substring("capsync-".length(), name.length() - ".tar.gz".length());
        return new Release(archives.get(0), target.resolve("capsync-" + version + ".zip"),
                target.resolve("capsync_" + version + "_all.deb"), version);
    }

    /** Unpacks the tar.gz with tar, as an administrator would (modes kept), and returns its one top folder. */
    Path unpack(Path into) throws Exception {
        Files.createDirectories(into);
        var untar = new Invocation(List.of("tar", "-xzf", tarGz.toString(), "-C", into.toString()), Map.of("PATH", "/usr/bin:/bin"), into)
                .run(Duration.ofMinutes(2));
        assertThat(untar.exitCode()).as(untar.err()).isZero();
        try (Stream<Path> top = Files.list(into)) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactly("capsync-" + version);
        }
        return into.resolve("capsync-" + version);
    }

    /** Every file and folder under root with its type, owner, mode, size and time: what "nothing changed" compares. */
    static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                entries.put(root.relativize(p).toString(), (a.isDirectory() ? "d " : a.isSymbolicLink() ? "l " : "f ")
                        + a.owner().getName() + " " + PosixFilePermissions.toString(a.permissions()) + " "
                        + (a.isDirectory() ? "" : a.size() + " " + a.lastModifiedTime()));
            }
        }
        return entries;
    }

    /**
     * The launcher's start-up archives in {@code cds}, which must be one set from one training: an archive per kind of
     * command (run, query, plain) and no training folder left behind.
     */
    static List<Path> startUpArchives(Path cds) throws IOException {
        List<Path> archives;
        List<String> names;
        try (Stream<Path> files = Files.list(cds)) {
            archives = files.filter(f -> f.getFileName().toString().endsWith(".jsa")).sorted().toList();
        }
        try (Stream<Path> files = Files.list(cds)) {
            names = files.map(f -> f.getFileName().toString()).toList();
        }
        assertThat(archives).as("the start-up archives in " + cds).hasSize(3);
        assertThat(archives.stream().map(f -> f.getFileName().toString().replaceFirst(".*-", "")))
                .containsExactly("plain.jsa", "query.jsa", "run.jsa");
        assertThat(archives.stream().map(f -> f.getFileName().toString().replaceFirst("-[a-z]+\\.jsa$", "")).distinct())
                .as("one training's set").hasSize(1);
        assertThat(names).as("no training folder left behind in " + cds).noneMatch(n -> n.startsWith("training"));
        return archives;
    }
}

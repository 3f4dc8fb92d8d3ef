package org.capsync.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.capsync.support.Cli;

/**
 * One real process: a command with exactly the given environment (nothing inherited from the build), in a folder,
 * with a time limit; optionally as another user, or with the sources and the Maven repository hidden from it.
 */
record Invocation(List<String> command, Map<String, String> env, Path dir) {

    /** What a site server with only a Java runtime has on its PATH: the tools the launcher uses, java, and no Maven. */
    private static final List<String> TOOLS = List.of("bash", "sh", "env", "dirname", "readlink", "stat", "cksum", "mktemp",
            "mkdir", "find", "rm", "mv", "cat", "ls", "id", "java");

    /** A folder of links to {@link #TOOLS}, for a PATH of nothing else. */
    static Path minimalPath(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (String tool : TOOLS) {
            Path found = null;
            for (String dir : List.of("/usr/local/bin", "/usr/bin", "/bin")) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    found = Path.of(dir, tool);
                    break;
                }
            }
            if (found == null) {
                throw new IllegalStateException(tool + " not found in /usr/local/bin, /usr/bin or /bin");
            }
            Files.createSymbolicLink(folder.resolve(tool), found.toRealPath());
        }
        return folder;
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The same command run by {@code user} (this test runs as root), with the same environment and nothing else. */
    Invocation as(String user) {
        List<String> words = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", user, "--", "/usr/bin/env", "-i"));
        env.forEach((k, v) -> words.add(k + "=" + v));
        words.addAll(command);
        return new Invocation(words, env, dir);
    }

    /**
     * The same command in a mount namespace where the project folder and the Maven repository are empty: whatever it
     * needs from the sources or from Maven it cannot have. Needs root; without it the command runs as it is.
     */
    Invocation withoutSources() throws IOException {
        if (!root()) {
            return this;
        }
        List<String> words = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                "for d in \"$1\" \"$2\"; do [ -d \"$d\" ] && /bin/mount -t tmpfs none \"$d\" || exit 90; done; shift 2; exec \"$@\"",
                "hide", Path.of("").toAbsolutePath().toString(),
                Path.of(System.getProperty("user.home"), ".m2").toString()));
        words.addAll(command);
        return new Invocation(words, env, dir);
    }

    Cli.Result run(Duration limit) throws IOException, InterruptedException {
        Path out = Files.createTempFile("capsync-it", ".out");
        Path err = Files.createTempFile("capsync-it", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().clear();
            builder.environment().putAll(new TreeMap<>(env));
            if (!builder.environment().containsKey("PATH")) {
                builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            }
            Process process = builder.start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within " + limit + "\n" + Files.readString(err));
            }
            return new Cli.Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}

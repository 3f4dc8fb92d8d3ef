package org.capsync.support;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.capsync.cli.CapsyncCli;
import org.capsync.cli.CliEnvironment;
import org.capsync.repository.RepositoryDatabase;

/** Runs capsync's command line in this JVM, with its own CAPSYNC_HOME and captured output. */
public final class Cli {

    static {
        // As CapsyncApplication.main does: a test JVM that ends up serving the repository binds to loopback only.
        RepositoryDatabase.confineToLoopback();
    }

    private Cli() {
    }

    public record Result(int exitCode, String out, String err) {
        public String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    public static Result run(Path home, Path workingDir, String... args) {
        return run(home, workingDir, Map.of(), args);
    }

    /** With extra environment variables (e.g. CAPSYNC_SMB_USER) on top of this process's own. */
    public static Result run(Path home, Path workingDir, Map<String, String> extraEnv, String... args) {
        return run(home, workingDir, extraEnv, false, args);
    }

    /** As if stdout were a terminal without colour: a run draws its progress bar. */
    public static Result runOnTerminal(TestSite site, String... args) {
        return run(site.home(), site.root(), Map.of("TERM", "xterm", "NO_COLOR", "1"), true, args);
    }

    private static Result run(Path home, Path workingDir, Map<String, String> extraEnv, boolean terminal, String... args) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(extraEnv);
        env.put("CAPSYNC_HOME", home.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CapsyncCli.execute(new CliEnvironment(env, workingDir, workingDir, new PrintWriter(out, true),
                new PrintWriter(err, true), terminal), args);
        return new Result(code, out.toString(), err.toString());
    }

    public static Result run(TestSite site, String... args) {
        return run(site.home(), site.root(), args);
    }

    public static Result run(TestSite site, Map<String, String> extraEnv, String... args) {
        return run(site.home(), site.root(), extraEnv, args);
    }
}

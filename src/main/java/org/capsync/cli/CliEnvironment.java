package org.capsync.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

import org.capsync.repository.CapsyncHome;

/**
 * What a command needs from the outside world, passed in rather than read from statics so that tests run commands
 * in-process with their own {@code CAPSYNC_HOME}, working directory and output.
 *
 * @param appHome  where capsync is installed (the launcher's folder), for {@code jobs/NAME.yml} and the demo
 * @param terminal stdout is an interactive terminal (not cron, Task Scheduler or a pipe): progress bar and colour
 */
public record CliEnvironment(Map<String, String> env, Path workingDir, Path appHome, PrintWriter out, PrintWriter err,
        boolean terminal) {

    /** Not on a terminal: what a scheduler or a test sees. */
    public CliEnvironment(Map<String, String> env, Path workingDir, Path appHome, PrintWriter out, PrintWriter err) {
        this(env, workingDir, appHome, out, err, false);
    }

    public CapsyncHome home() {
        return CapsyncHome.fromEnvironment(env);
    }

    public static CliEnvironment fromProcess() {
        Path cwd = Path.of("").toAbsolutePath();
        String app = System.getProperty("capsync.app.home");
        // Java 17's console exists only when stdin and stdout are both a terminal: never under cron or in a pipe.
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        return new CliEnvironment(System.getenv(), cwd, app == null ? cwd : Path.of(app).toAbsolutePath(),
                new PrintWriter(System.out, true), new PrintWriter(System.err, true), terminal);
    }
}

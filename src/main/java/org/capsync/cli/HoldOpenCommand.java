package org.capsync.cli;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import org.springframework.boot.convert.DurationStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Hidden helper for the demo and the tests: plays an SMS client that has {@code client.lkp} open, by holding a shared
 * record lock on it until the time is up or its standard input closes.
 */
@Command(name = "hold-open", hidden = true, description = {"Hold a file open and locked, as a reading client does.",
        "Until --for has passed or its standard input closes (the process that started it is gone):",
        "from a script, keep it open, as in: sleep 600 | capsync hold-open FILE --for 10m"})
class HoldOpenCommand extends Subcommand {

    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = "--for", paramLabel = "DURATION", defaultValue = "1h")
    String duration;

    HoldOpenCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws Exception {
        Duration hold = DurationStyle.detectAndParse(duration);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             FileLock lock = channel.lock(0, Long.MAX_VALUE, true)) {
            environment.out().println("holding " + file);
            environment.out().flush();
            Thread watcher = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // drain until the parent closes our stdin or dies
                    }
                } catch (java.io.IOException ignored) {
                    // parent gone
                }
                System.exit(0);
            });
            watcher.setDaemon(true);
            watcher.start();
            Thread.sleep(hold.toMillis());
        }
        return 0;
    }
}

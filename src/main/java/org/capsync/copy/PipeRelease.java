package org.capsync.copy;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lets go of a read that a named pipe keeps waiting. A name found to be a file can be a named pipe by the time it is
 * opened (whoever may write into the folder can swap them), and opening a pipe for reading waits for a writer, which
 * Java cannot tell it not to do ({@code O_NONBLOCK}): a run or an audit would wait forever. After {@link #WAIT} the
 * name is opened for writing ({@link CapFolder#openRead}), which lets the read go on; what it opened is then refused.
 * One daemon thread, started by the first open that needs watching.
 */
final class PipeRelease {

    /** Far beyond what opening a file takes, even on a slow share. */
    static final Duration WAIT = Duration.ofSeconds(5);

    private final Duration wait;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "capsync-pipe-release");
        thread.setDaemon(true);
        return thread;
    });

    PipeRelease() {
        this(WAIT);
    }

    PipeRelease(Duration wait) {
        this.wait = wait;
    }

    /** Runs {@code release} unless the returned future is cancelled first. */
    ScheduledFuture<?> after(Runnable release) {
        return timer.schedule(release, wait.toMillis(), TimeUnit.MILLISECONDS);
    }
}

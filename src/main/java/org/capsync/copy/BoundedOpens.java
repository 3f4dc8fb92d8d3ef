package org.capsync.copy;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where a CAP's file is opened for reading when the open may never return. A name found to be a file can be a named
 * pipe by the time it is opened (whoever may write into the folder can swap them), and opening a pipe for reading waits
 * for a writer, which Java cannot tell it not to do ({@code O_NONBLOCK}); so can a share that stopped answering. The
 * open runs on a thread of its own, and the copy gives up on it after {@link #WAIT} ({@link CapFolder#openRead}): the
 * waiting thread is left behind, a daemon, and whatever it opens in the end is closed unread.
 */
final class BoundedOpens {

    /** Far beyond what opening a file takes, even on a slow share. */
    static final Duration WAIT = Duration.ofSeconds(5);

    private final Duration wait;
    /** A thread per open at a time, reused: one that an open keeps waiting is never handed another. */
    private final ExecutorService opens = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "capsync-open");
        thread.setDaemon(true);
        return thread;
    });

    BoundedOpens() {
        this(WAIT);
    }

    BoundedOpens(Duration wait) {
        this.wait = wait;
    }

    Duration waitAtMost() {
        return wait;
    }

    ExecutorService opens() {
        return opens;
    }
}

package org.capsync.repository;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a run from depending on a short-lived reader. With H2's {@code AUTO_SERVER} the first process to open the
 * repository serves it to the others, and when that process exits every connection it served breaks. A run that
 * opened the repository while {@code capsync history} held it would fail the moment the query ended. So readers hold
 * this gate (a shared OS file lock) while they have the repository open, and a run takes it exclusively while it
 * opens the repository: it waits for the readers to let go, becomes the repository's owner, then releases the gate so
 * readers connect through its server. Readers fetch everything first and print afterwards, so they hold it briefly.
 */
public final class RepositoryGate implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("capsync.run");
    private static final Duration POLL = Duration.ofMillis(50);
    static final String FILE = "repository.gate";

    private final FileChannel channel;
    private final FileLock lock;

    private RepositoryGate(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Held by a reader while it has the repository open. Waits while a run is opening it; after {@code wait} it goes
     * on without the gate (a run stuck while opening must not stop the administrator from looking).
     */
    public static RepositoryGate forReading(CapsyncHome home, Duration wait) {
        return take(home, true, wait, false);
    }

    /**
     * Opens the repository as its owner for a run: waits up to {@code wait} for readers that hold it open, then opens
     * and lets readers in again. Past the wait it opens anyway and says so in the log.
     */
    public static <T> T openForRun(CapsyncHome home, Duration wait, Supplier<T> open) {
        try (RepositoryGate gate = take(home, false, wait, true)) {
            if (gate.lock == null) {
                log.warn("the job repository is still held by a reader after {} s; opening it anyway", wait.toSeconds());
            }
            return open.get();
        }
    }

    /**
     * Held by a process that must be the only one opening the repository (one setting its password, see
     * {@link RepositoryPassword#set}): waits for readers and a run that is opening it, up to {@code wait}.
     */
    public static RepositoryGate exclusive(CapsyncHome home, Duration wait) {
        return take(home, false, wait, false);
    }

    private static RepositoryGate take(CapsyncHome home, boolean shared, Duration wait, boolean sayWhenWaiting) {
        Path file = home.locks().resolve(FILE);
        if (!Files.isDirectory(file.getParent())) {
            return new RepositoryGate(null, null);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            // A read-only CAPSYNC_HOME (a backup mounted for inspection) has no writer to coordinate with.
            return new RepositoryGate(null, null);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                FileLock lock = tryLock(channel, shared);
                if (lock != null) {
                    return new RepositoryGate(channel, lock);
                }
                if (System.nanoTime() >= deadline) {
                    return new RepositoryGate(channel, null);
                }
                if (sayWhenWaiting) {
                    // On the console too, not only in the job's log: the run may wait here for minutes.
                    log.warn("waiting for a history query to close the job repository");
                    sayWhenWaiting = false;
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RepositoryGate(channel, null);
        } catch (IOException e) {
            return new RepositoryGate(channel, null);
        }
    }

    private static FileLock tryLock(FileChannel channel, boolean shared) throws IOException {
        try {
            // A byte far past any content, as RunLock does: on Windows locks are mandatory for the range they cover.
            return channel.tryLock(Long.MAX_VALUE - 1, 1, shared);
        } catch (OverlappingFileLockException e) {
            // Held by this same JVM (tests run commands in-process): wait for it like for another process.
            return null;
        }
    }

    /** Whether the gate is actually held (false when it was given up on after the wait). */
    public boolean held() {
        return lock != null;
    }

    @Override
    public void close() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // the OS drops the lock with the process anyway
        }
    }
}

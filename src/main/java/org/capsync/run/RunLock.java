package org.capsync.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import org.capsync.definition.FileSystemReason;
import org.capsync.repository.CapsyncHome;

/**
 * One run per job at a time, across processes: an OS file lock under {@code CAPSYNC_HOME/locks}. The OS releases it
 * when the process dies, which is also the proof that a job execution left {@code STARTED} belongs to a dead process.
 */
public final class RunLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the job's lock, or throws {@link RunInProgress} naming the holder. Never waits. */
    public static RunLock acquire(CapsyncHome home, String jobName) {
        Path file = home.locks().resolve(jobName + ".lock");
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                // Lock a byte far past the holder text, so the text stays readable on systems with mandatory locks.
                lock = channel.tryLock(Long.MAX_VALUE - 1, 1, false);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                String holder = readHolder(channel);
                channel.close();
                throw new RunInProgress(jobName, holder);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(describeThisProcess().getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new RunLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take run lock " + file + ": " + FileSystemReason.of(e, file), e);
        }
    }

    private static String describeThisProcess() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        // The process's start from the OS: the JVM's management beans would load their classes for it on every run.
        ProcessHandle self = ProcessHandle.current();
        return "pid " + self.pid() + " on " + host + ", started " + self.info().startInstant().orElseGet(Instant::now);
    }

    private static String readHolder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(512);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).trim();
        return text.isEmpty() ? "another process" : text;
    }

    /** Releases the lock; closing again does nothing. */
    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the OS drops the lock with the process anyway
        }
    }

    /** Another process runs this job now (exit code 4). */
    public static final class RunInProgress extends RuntimeException {
        public RunInProgress(String jobName, String holder) {
            super("another run of job '" + jobName + "' is in progress (" + holder + ")");
        }
    }
}

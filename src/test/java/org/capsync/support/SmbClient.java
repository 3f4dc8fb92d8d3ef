package org.capsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumSet;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2CreateOptions;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.smbj.SMBClient;
import com.hierynomus.smbj.auth.AuthenticationContext;
import com.hierynomus.smbj.connection.Connection;
import com.hierynomus.smbj.session.Session;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.File;

/**
 * A client of the test's Samba server that is not capsync: its own TCP connection and SMB session, as an SMS client
 * reading {@code client.lkp} at a CAP would have. It opens a file the way such a client does (read access, sharing
 * read only, so no one may delete or replace it meanwhile), or takes a byte-range lock, and lets go when closed or
 * after a while.
 */
public final class SmbClient implements AutoCloseable {

    private final SMBClient client = new SMBClient();
    private final Connection connection;
    private final Session session;
    private final DiskShare share;
    private File held;
    private volatile long releasedAtNanos;

    public SmbClient(SambaServer server, String share) {
        try {
            this.connection = client.connect(server.host(), server.port());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.session = connection.authenticate(AuthenticationContext.guest());
        this.share = (DiskShare) session.connectShare(share);
    }

    /** Opens {@code path} (inside the share, '/' or '\') for reading and shares only reading, as an SMS client does. */
    public synchronized SmbClient holdForReading(String path) {
        held = share.openFile(path.replace('/', '\\'), EnumSet.of(AccessMask.FILE_READ_DATA, AccessMask.FILE_READ_ATTRIBUTES),
                EnumSet.of(FileAttributes.FILE_ATTRIBUTE_NORMAL), EnumSet.of(SMB2ShareAccess.FILE_SHARE_READ),
                SMB2CreateDisposition.FILE_OPEN, EnumSet.of(SMB2CreateOptions.FILE_NON_DIRECTORY_FILE));
        return this;
    }

    /** Opens {@code path} sharing everything, and locks its first {@code length} bytes exclusively. */
    public synchronized SmbClient lockRange(String path, long length) {
        held = share.openFile(path.replace('/', '\\'), EnumSet.of(AccessMask.FILE_READ_DATA, AccessMask.FILE_WRITE_DATA),
                EnumSet.of(FileAttributes.FILE_ATTRIBUTE_NORMAL), SMB2ShareAccess.ALL,
                SMB2CreateDisposition.FILE_OPEN, EnumSet.of(SMB2CreateOptions.FILE_NON_DIRECTORY_FILE));
        held.requestLock().exclusiveLock(0, length, true).send();
        return this;
    }

    /** Whether a file exists in the share, as this client sees it. */
    public boolean exists(String path) {
        return share.fileExists(path.replace('/', '\\'));
    }

    /**
     * Opens a file for reading, without delete sharing, as soon as it appears; false on timeout. Looks for it with an
     * attributes-only open first: a read open racing the writer's create could refuse the writer, which no test wants.
     */
    public boolean holdForReadingWhenItAppears(String path, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (exists(path)) {
                    holdForReading(path);
                    return true;
                }
            } catch (RuntimeException e) {
                // still being written (sharing violation): try again
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Lets go of the held file after {@code delay}, on a thread of its own. */
    public SmbClient releaseAfter(Duration delay) {
        Thread thread = new Thread(() -> {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release();
        }, "smb-client-release");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    public synchronized void release() {
        if (held != null) {
            try {
                held.close();
            } catch (RuntimeException e) {
                // server gone: the handle is gone with it
            }
            held = null;
            releasedAtNanos = System.nanoTime();
        }
    }

    /** {@link System#nanoTime()} when the held file was let go, 0 while held or never held. */
    public long releasedAtNanos() {
        return releasedAtNanos;
    }

    @Override
    public void close() {
        release();
        try {
            session.close();
        } catch (IOException | RuntimeException e) {
            // server may be stopped
        }
        client.close();
    }
}

package org.capsync.copy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.capsync.definition.FileSystemReason;

/**
 * The bytes of a run's snapshot files, read once and checked against the SHA-256 recorded when the snapshot was taken,
 * so that a snapshot damaged since is never copied. A transport compares targets and read-backs with them and writes
 * them, instead of hashing every CAP's file (no SHA-256 intrinsic under the launcher's C1-only JIT) and reading the
 * snapshot from disk per CAP. A file larger than 16 MB is checked once and not held: it is streamed from disk per CAP.
 *
 * <p>Only the most recently used files are held, up to 64 MB: a worker serves run after run, each with snapshots of its
 * own, and must not keep them all.
 */
public final class SnapshotBytes {

    private static final long IN_MEMORY = 16L * 1024 * 1024;
    private static final long HELD = 4 * IN_MEMORY;
    private static final byte[] NOT_HELD = new byte[0];

    /**
     * By file and recorded digest (a file of the same name with other bytes is another snapshot), in order of use, the
     * last used at the end. A string key: a record's first equals would link method handles on the run's start.
     */
    private final LinkedHashMap<String, byte[]> files = new LinkedHashMap<>(16, 0.75f, true);
    private long heldBytes;

    /**
     * The snapshot file's bytes, or an empty array when it is too large to hold (then only its size says so: an empty
     * snapshot is an empty array too), once it has been found to match its recorded SHA-256.
     */
    public byte[] of(SourceFile source) throws CopyFailure {
        String key = source.path() + "\n" + source.digest().sha256();
        synchronized (files) {
            byte[] held = files.get(key);
            if (held != null) {
                return held;
            }
        }
        byte[] bytes;
        try {
            FileDigest actual;
            if (source.digest().size() <= IN_MEMORY) {
                bytes = Files.readAllBytes(source.path());
                actual = FileDigest.of(new ByteArrayInputStream(bytes));
            } else {
                bytes = NOT_HELD;
                try (InputStream in = Files.newInputStream(source.path())) {
                    actual = FileDigest.of(in);
                }
            }
            if (!actual.equals(source.digest())) {
                throw new CopyFailure("snapshot " + source.path() + " no longer matches its recorded sha256 "
                        + source.digest().sha256() + " (now " + actual.size() + " bytes, sha256 " + actual.sha256() + ")");
            }
        } catch (IOException e) {
            throw new CopyFailure("cannot read snapshot " + source.path() + ": " + FileSystemReason.of(e, source.path()), e);
        }
        synchronized (files) {
            if (files.putIfAbsent(key, bytes) == null) {
                heldBytes += bytes.length;
                for (Iterator<Map.Entry<String, byte[]>> eldest = files.entrySet().iterator();
                        heldBytes > HELD && files.size() > 1; ) {
                    heldBytes -= eldest.next().getValue().length;
                    eldest.remove();
                }
            }
        }
        return bytes;
    }

    /** Whether {@link #of} holds the file's bytes, rather than leaving it to be streamed from disk. */
    public static boolean held(SourceFile source, byte[] bytes) {
        return bytes.length == source.digest().size();
    }

    /**
     * Whether the stream holds exactly the snapshot's bytes: compared with them when they are held, else hashed. Reads
     * no further than one byte past the snapshot's size.
     */
    public boolean sameAs(SourceFile source, InputStream in) throws CopyFailure, IOException {
        byte[] expected = of(source);
        if (!held(source, expected)) {
            return FileDigest.of(in).equals(source.digest());
        }
        byte[] buffer = new byte[(int) Math.min(64 * 1024, expected.length + 1L)];
        int offset = 0;
        for (int n; (n = in.read(buffer)) > 0; offset += n) {
            if (n > expected.length - offset || !Arrays.equals(buffer, 0, n, expected, offset, offset + n)) {
                return false;
            }
        }
        return offset == expected.length;
    }
}

package org.capsync.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.capsync.support.TestSite.bytes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot file is read and checked once, then served from memory; one damaged since it was taken is never served;
 * a target or read-back is compared with it byte for byte, reading no more than a byte past its size; and only the
 * last files used are held, so that a worker serving run after run does not keep every snapshot.
 */
class SnapshotBytesTest {

    private static final int MB = 1024 * 1024;

    @TempDir
    Path dir;

    private final SnapshotBytes snapshots = new SnapshotBytes();

    @Test
    void aSnapshotIsReadOnceAndServedFromMemory() throws Exception {
        SourceFile source = snapshot("client.lkp", bytes(16 * 1024, 1));
        byte[] first = snapshots.of(source);

        Files.delete(source.path());

        assertThat(snapshots.of(source)).isSameAs(first).isEqualTo(bytes(16 * 1024, 1));
        assertThat(SnapshotBytes.held(source, first)).isTrue();
    }

    @Test
    void aSnapshotGoneBeforeItWasReadIsRefusedSayingSo() throws Exception {
        SourceFile source = snapshot("client.lkp", bytes(1000, 4));
        Files.delete(source.path());

        assertThatThrownBy(() -> snapshots.of(source)).isInstanceOf(CopyFailure.class)
                .hasMessage("cannot read snapshot " + source.path() + ": not found");
    }

    @Test
    void aFileOfTheSameNameWithOtherBytesIsAnotherSnapshot() throws Exception {
        SourceFile earlier = snapshot("client.lkp", bytes(1000, 6));
        snapshots.of(earlier);
        SourceFile later = snapshot("client.lkp", bytes(1000, 7));

        assertThat(snapshots.of(later)).isEqualTo(bytes(1000, 7));
        assertThat(snapshots.sameAs(later, new ByteArrayInputStream(bytes(1000, 7)))).isTrue();
    }

    @Test
    void aSnapshotChangedSinceItWasTakenIsRefusedNamingTheFile() throws Exception {
        SourceFile source = snapshot("client.lkp", bytes(1000, 2));
        Files.write(source.path(), bytes(1000, 3));

        assertThatThrownBy(() -> snapshots.of(source)).isInstanceOf(CopyFailure.class)
                .hasMessageContaining(source.path().toString()).hasMessageContaining("no longer matches");
    }

    @Test
    void aFileIsTheSnapshotOnlyWithItsBytesExactlyAndIsReadNoFurtherThanOneBytePast() throws Exception {
        byte[] bytes = bytes(5000, 4);
        SourceFile source = snapshot("client.lkp", bytes);
        byte[] changed = bytes.clone();
        changed[4999] ^= 1;

        assertThat(snapshots.sameAs(source, new ByteArrayInputStream(bytes))).isTrue();
        assertThat(snapshots.sameAs(source, new ByteArrayInputStream(changed))).isFalse();
        assertThat(snapshots.sameAs(source, new ByteArrayInputStream(Arrays.copyOf(bytes, 4999)))).isFalse();
        assertThat(snapshots.sameAs(source, new ByteArrayInputStream(Arrays.copyOf(bytes, 5001)))).isFalse();
        assertThat(snapshots.sameAs(source, new ByteArrayInputStream(new byte[0]))).isFalse();
        CountingStream longer = new CountingStream(Arrays.copyOf(bytes, 3 * bytes.length));
        assertThat(snapshots.sameAs(source, longer)).isFalse();
        assertThat(longer.read).isLessThanOrEqualTo(5001);
    }

    @Test
    void anEmptySnapshotIsHeldAndOnlyAnEmptyFileIsIt() throws Exception {
        SourceFile source = snapshot("empty.lkp", new byte[0]);

        assertThat(SnapshotBytes.held(source, snapshots.of(source))).isTrue();
        assertThat(snapshots.sameAs(source, new ByteArrayInputStream(new byte[0]))).isTrue();
        assertThat(snapshots.sameAs(source, new ByteArrayInputStream(new byte[1]))).isFalse();
    }

    @Test
    void aSnapshotOver16MbIsCheckedButNotHeldAndComparedByItsHash() throws Exception {
        byte[] bytes = bytes(16 * MB + 1, 5);
        SourceFile source = snapshot("large.lkp", bytes);

        byte[] served = snapshots.of(source);

        assertThat(SnapshotBytes.held(source, served)).isFalse();
        assertThat(snapshots.sameAs(source, new ByteArrayInputStream(bytes))).isTrue();
        bytes[123] ^= 1;
        assertThat(snapshots.sameAs(source, new ByteArrayInputStream(bytes))).isFalse();
    }

    @Test
    void onlyTheLastFilesUsedAreHeldUpTo64Mb() throws Exception {
        List<SourceFile> runs = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            SourceFile source = snapshot("run" + run + ".lkp", bytes(16 * MB, run));
            snapshots.of(source);
            runs.add(source);
        }
        for (SourceFile source : runs) {
            Files.delete(source.path());
        }

        // The oldest went when the fifth came (80 MB > 64 MB); the other four are still served from memory.
        assertThatThrownBy(() -> snapshots.of(runs.get(0))).isInstanceOf(CopyFailure.class)
                .hasMessageContaining("cannot read snapshot");
        for (SourceFile source : runs.subList(1, 5)) {
            assertThat(snapshots.of(source)).hasSize(16 * MB);
        }
    }

    private SourceFile snapshot(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        try (InputStream in = Files.newInputStream(file)) {
            return new SourceFile(name, file, FileDigest.of(in), Files.getLastModifiedTime(file));
        }
    }

    /** A stream that counts what was read from it. */
    private static final class CountingStream extends ByteArrayInputStream {
        long read;

        CountingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] into, int offset, int length) {
            int n = super.read(into, offset, length);
            read += Math.max(0, n);
            return n;
        }
    }
}

package org.capsync.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A named pipe put in place of the target between the look at it and its opening: opening a pipe for reading waits for
 * a writer. The read is let go and the pipe refused, instead of a run or an audit waiting forever. The look at the
 * target is left out here (the folder's own read), which is what losing that race amounts to.
 */
class PipeInPlaceTest {

    @TempDir
    Path dir;

    @Test
    void aPipeOpenedForReadingIsLetGoAndRefused() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1);
        Path target = site.capFile("CAP_001");
        assertThat(new ProcessBuilder("mkfifo", target.toString()).start().waitFor()).isZero();
        CapFolder.FolderAccess access = new CapFolder.FolderAccess(OpenFilePaths.forThisJvm(), new PipeRelease(Duration.ofMillis(300)));

        try (CapFolder folder = CapFolder.open(TargetFile.of("CAP_001", site.capRoot("CAP_001").toString(), "clidata.box",
                "client.lkp", "client-lkp"), access)) {
            CompletableFuture<Void> read = CompletableFuture.runAsync(() ->
                    assertThatThrownBy(() -> folder.openRead("client.lkp").close())
                            .isInstanceOf(FileSystemException.class).hasMessageContaining("not a regular file"));

            read.get(30, TimeUnit.SECONDS);
        }
        assertThat(Files.isRegularFile(target)).isFalse();
        assertThat(Files.exists(target)).as("the pipe is left as it is").isTrue();
    }

    @Test
    void aFileIsOpenedAsBeforeAndNothingIsReleased() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1);
        Files.writeString(site.capFile("CAP_001"), "bytes");
        CapFolder.FolderAccess access = new CapFolder.FolderAccess(OpenFilePaths.forThisJvm(), new PipeRelease(Duration.ofMillis(300)));

        try (CapFolder folder = CapFolder.open(TargetFile.of("CAP_001", site.capRoot("CAP_001").toString(), "clidata.box",
                "client.lkp", "client-lkp"), access); var in = folder.openRead("client.lkp")) {
            assertThat(in.size()).isEqualTo(5);
        }
        assertThat(site.capFile("CAP_001")).hasContent("bytes");
    }
}

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
 * a writer. The copy gives up on the open, instead of a run or an audit waiting forever, and the next open is not held
 * up by the one left waiting. The look at the target is left out here (the folder's own read), which is what losing
 * that race amounts to.
 */
class PipeInPlaceTest {

    @TempDir
    Path dir;

    /**
     * The open waits on one pipe, and a second pipe, which nobody reads, takes the name meanwhile: opening the name for
     * writing, to let the first open go on, would itself wait forever. Each open is given up on its own.
     */
    @Test
    void anOpenAPipeKeepsWaitingIsGivenUpAndDoesNotHoldUpTheNext() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1);
        Path box = site.capFile("CAP_001").getParent();
        for (String pipe : new String[] {"client.lkp", "second"}) {
            assertThat(new ProcessBuilder("mkfifo", box.resolve(pipe).toString()).start().waitFor()).isZero();
        }
        CapFolder.FolderAccess access = new CapFolder.FolderAccess(OpenFilePaths.forThisJvm(), new BoundedOpens(Duration.ofMillis(500)));

        CompletableFuture<Void> reads = CompletableFuture.runAsync(() -> {
            try (CapFolder folder = CapFolder.open(target(site), access)) {
                CompletableFuture.runAsync(() -> {
                    try {
                        Thread.sleep(100);
                        Files.move(box.resolve("second"), box.resolve("client.lkp"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                for (int open = 0; open < 2; open++) {
                    assertThatThrownBy(() -> folder.openRead("client.lkp").close())
                            .isInstanceOf(FileSystemException.class).hasMessageContaining("did not open within 500 ms");
                }
            } catch (CopyFailure e) {
                throw new IllegalStateException(e);
            }
        });

        reads.get(30, TimeUnit.SECONDS);
        assertThat(Files.exists(box.resolve("client.lkp"))).as("the pipe is left as it is").isTrue();
    }

    @Test
    void aFileIsOpenedAsBefore() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1);
        Files.writeString(site.capFile("CAP_001"), "bytes");
        CapFolder.FolderAccess access = new CapFolder.FolderAccess(OpenFilePaths.forThisJvm(), new BoundedOpens(Duration.ofMillis(300)));

        try (CapFolder folder = CapFolder.open(target(site), access); var in = folder.openRead("client.lkp")) {
            assertThat(in.size()).isEqualTo(5);
        }
        assertThat(site.capFile("CAP_001")).hasContent("bytes");
    }

    private static TargetFile target(TestSite site) {
        return TargetFile.of("CAP_001", site.capRoot("CAP_001").toString(), "clidata.box", "client.lkp", "client-lkp");
    }
}

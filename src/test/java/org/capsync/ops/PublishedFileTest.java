package org.capsync.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics file and the HTML report on real files: a file is replaced whole; anything else under the name (a link,
 * a pipe, a folder) is refused and left as it was, and nothing is written anywhere, no temp file left behind.
 */
class PublishedFileTest {

    @TempDir
    Path dir;

    final PublishedFile files = new PublishedFile();

    @Test
    void aFileIsReplacedWithTheGivenPermissionsAndNoTempFileStays() throws IOException {
        Path file = dir.resolve("capsync_client-lkp.prom");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        files.write(file, bytes("new"), PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(file).hasContent("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        assertThat(dir.toFile().list()).containsExactly("capsync_client-lkp.prom");
    }

    @Test
    void aLinkIsRefusedAndNeitherItNorWhatItPointsAtChanges() throws IOException {
        Path elsewhere = Files.writeString(Files.createDirectory(dir.resolve("elsewhere")).resolve("passwd"), "root:x:0:0");
        Path link = Files.createSymbolicLink(dir.resolve("report.html"), elsewhere);

        assertThatThrownBy(() -> files.write(link, bytes("<html>"), null))
                .isInstanceOf(PublishedFile.NotAFile.class).hasMessage(link + " is a link, not a file");

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(elsewhere).hasContent("root:x:0:0");
        assertThat(dir.toFile().list()).containsExactlyInAnyOrder("elsewhere", "report.html");
    }

    @Test
    void aDanglingLinkIsRefusedAndNothingIsCreatedWhereItPoints() throws IOException {
        Path target = dir.resolve("elsewhere.html");
        Path link = Files.createSymbolicLink(dir.resolve("report.html"), target);

        assertThatThrownBy(() -> files.write(link, bytes("<html>"), null)).isInstanceOf(PublishedFile.NotAFile.class);

        assertThat(Files.exists(target, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(dir.toFile().list()).containsExactly("report.html");
    }

    @Test
    void aNamedPipeOrAFolderIsRefusedWithoutWaitingForAReader() throws Exception {
        Path pipe = dir.resolve("capsync_client-lkp.prom");
        assertThat(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor()).isZero();
        Path folder = Files.createDirectory(dir.resolve("report.html"));

        assertThatThrownBy(() -> files.write(pipe, bytes("x"), null))
                .isInstanceOf(PublishedFile.NotAFile.class).hasMessageEndingWith("is a device or other special file, not a file");
        assertThatThrownBy(() -> files.write(folder, bytes("x"), null))
                .isInstanceOf(PublishedFile.NotAFile.class).hasMessageEndingWith("is a folder, not a file");

        assertThat(Files.isRegularFile(pipe, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(dir.toFile().list()).containsExactlyInAnyOrder("capsync_client-lkp.prom", "report.html");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

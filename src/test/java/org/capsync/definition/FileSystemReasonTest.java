package org.capsync.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the file system's failures say, on real files: the reason, and the file only when it is another one. */
class FileSystemReasonTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsNotFound() {
        Path missing = dir.resolve("missing.csv");
        IOException e = catchThrowableOfType(() -> Files.readAllBytes(missing), IOException.class);

        assertThat(FileSystemReason.of(e, missing)).isEqualTo("not found");
    }

    @Test
    void aFolderBelowAFileNamesTheFolderItCouldNotMake() throws IOException {
        Files.writeString(dir.resolve("plain-file"), "");
        Path home = dir.resolve("plain-file/home/logs");
        IOException e = catchThrowableOfType(() -> Files.createDirectories(home), IOException.class);

        assertThat(FileSystemReason.of(e, home)).isIn("Not a directory (" + dir.resolve("plain-file/home") + ")",
                "already exists (" + dir.resolve("plain-file") + ")");
    }

    @Test
    void aFileOnAnotherPathIsNamed() {
        Path file = dir.resolve("a/b.lock");
        IOException e = catchThrowableOfType(() -> Files.createFile(file), IOException.class);

        assertThat(FileSystemReason.of(e, dir.resolve("elsewhere"))).isEqualTo("not found (" + file + ")");
    }

    @Test
    void permissionDeniedIsSaid() {
        // The JDK's exception for EACCES, as a user without the right gets it (these tests run as root, who always has it).
        Path file = dir.resolve("secret");
        assertThat(FileSystemReason.of(new AccessDeniedException(file.toString()), file)).isEqualTo("permission denied");
    }

    @Test
    void anIoFailureThatIsNoFileSystemFailureKeepsItsWords() {
        assertThat(FileSystemReason.of(new IOException("Stream closed"), dir)).isEqualTo("Stream closed");
        assertThat(FileSystemReason.of(new IOException(), dir)).isEqualTo("IOException");
    }
}

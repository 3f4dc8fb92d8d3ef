package org.capsync.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Set;

import org.capsync.copy.LocalSharingViolations.Operation;
import org.junit.jupiter.api.Test;

/**
 * The exact exception shapes java.nio produces for a file held open, on Windows (OpenJDK's WindowsException: error 32
 * and 33 become a plain FileSystemException with the localized reason; a rename over an open file becomes
 * AccessDeniedException) and on a Linux CIFS mount (EBUSY).
 */
class LocalSharingViolationsTest {

    static final String GERMAN_32 = "Der Prozess kann nicht auf die Datei zugreifen, da sie von einem anderen Prozess verwendet wird.";

    LocalSharingViolations english = new LocalSharingViolations(Set.of());
    LocalSharingViolations german = new LocalSharingViolations(Set.of(GERMAN_32));

    @Test
    void windowsSharingViolationInEnglishIsInUse() {
        var e = new FileSystemException("\\\\SRV\\CAP_XYZ\\clidata.box\\client.lkp", null,
                "The process cannot access the file because it is being used by another process.");
        assertThat(english.classify(e, Operation.WRITE_TEMP, "x")).isInstanceOf(SharingViolation.class);
    }

    @Test
    void windowsSharingViolationInTheLocalLanguageIsInUseWhenTheOsGaveThatMessage() {
        var e = new FileSystemException("\\\\SRV\\CAP_XYZ\\clidata.box\\client.lkp", null, GERMAN_32);
        assertThat(german.classify(e, Operation.READ_TARGET, "x")).isInstanceOf(SharingViolation.class);
        assertThat(english.classify(e, Operation.READ_TARGET, "x")).isInstanceOf(CopyFailure.class);
    }

    @Test
    void windowsLockViolationIsInUse() {
        var e = new FileSystemException("c:\\cap\\client.lkp", null,
                "The process cannot access the file because another process has locked a portion of the file.");
        assertThat(english.classify(e, Operation.READ_TARGET, "x")).isInstanceOf(SharingViolation.class);
    }

    @Test
    void linuxCifsBusyIsInUse() {
        var e = new FileSystemException("/mnt/cap/clidata.box/client.lkp", null, "Device or resource busy");
        assertThat(english.classify(e, Operation.REPLACE_TARGET, "x")).isInstanceOf(SharingViolation.class);
    }

    @Test
    void accessDeniedIsInUseOnlyWhenReplacingTheTarget() {
        var e = new AccessDeniedException("\\\\SRV\\CAP_XYZ\\clidata.box\\client.lkp");
        assertThat(english.classify(e, Operation.REPLACE_TARGET, "x")).isInstanceOf(SharingViolation.class);
        assertThat(english.classify(e, Operation.WRITE_TEMP, "x")).isInstanceOf(CopyFailure.class);
        assertThat(english.classify(e, Operation.READ_TARGET, "x")).isInstanceOf(CopyFailure.class);
    }

    @Test
    void windowsLockViolationInTheLocalLanguageIsInUseWhenTheOsGaveThatMessage() {
        String german33 = "Der Prozess kann nicht auf die Datei zugreifen, da ein anderer Prozess einen Teil der Datei gesperrt hat.";
        var e = new FileSystemException("\\\\SRV\\CAP_XYZ\\clidata.box\\client.lkp", null, german33);
        assertThat(new LocalSharingViolations(Set.of(german33)).classify(e, Operation.READ_TARGET, "x")).isInstanceOf(SharingViolation.class);
    }

    /** OpenJDK's WindowsFileCopy.move: ERROR_ACCESS_DENIED renaming over a target another process has open. */
    @Test
    void windowsRenameOverAnOpenTargetIsInUse() {
        var e = new AccessDeniedException("C:\\cap\\clidata.box\\.client.lkp.client-lkp.capsync-tmp",
                "C:\\cap\\clidata.box\\client.lkp", null);
        assertThat(english.classify(e, Operation.REPLACE_TARGET, "x")).isInstanceOf(SharingViolation.class)
                .hasMessageContaining("in use");
    }

    /** Linux CIFS: the server's STATUS_FILE_LOCK_CONFLICT is EACCES, which UnixException turns into AccessDeniedException. */
    @Test
    void cifsLockConflictOnTheRenameIsInUseButOnOpeningTheTargetItIsAFailure() {
        var rename = new AccessDeniedException("/mnt/cap/clidata.box/.client.lkp.client-lkp.capsync-tmp",
                "/mnt/cap/clidata.box/client.lkp", null);
        assertThat(english.classify(rename, Operation.REPLACE_TARGET, "x")).isInstanceOf(SharingViolation.class);
        // Opening is refused by permissions, not by locks: access denied there is a real failure.
        var open = new AccessDeniedException("/mnt/cap/clidata.box/client.lkp");
        assertThat(english.classify(open, Operation.READ_TARGET, "x")).isInstanceOf(CopyFailure.class);
    }

    /** Linux CIFS: read(2) of a range another client locked fails EACCES; FileChannel reports a plain IOException. */
    @Test
    void cifsLockConflictWhileReadingAnOpenTargetIsInUse() {
        var e = new IOException("Permission denied");
        assertThat(english.classify(e, Operation.READ_TARGET, "x")).isInstanceOf(SharingViolation.class)
                .hasMessageContaining("lock conflict");
        // Writing our own temp file is another matter: permission trouble there is a failure.
        assertThat(english.classify(e, Operation.WRITE_TEMP, "x")).isInstanceOf(CopyFailure.class);
    }

    @Test
    void aSubclassWithABusyMessageIsNotASharingViolation() {
        // Only the plain class carries Win32 32/33; a subclass names some other condition.
        var e = new NoSuchFileException("c:\\cap\\client.lkp", null, "Device or resource busy");
        assertThat(english.classify(e, Operation.REPLACE_TARGET, "x")).isInstanceOf(CopyFailure.class);
    }

    @Test
    void diskFullIsAFailure() {
        assertThat(english.classify(new IOException("No space left on device"), Operation.WRITE_TEMP, "x"))
                .isInstanceOf(CopyFailure.class)
                .hasMessageContaining("No space left on device");
        var windows = new FileSystemException("c:\\cap\\x.tmp", null, "There is not enough space on the disk.");
        assertThat(english.classify(windows, Operation.WRITE_TEMP, "x")).isInstanceOf(CopyFailure.class);
    }
}

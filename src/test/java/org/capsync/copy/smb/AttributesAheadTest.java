package org.capsync.copy.smb;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.msfscc.fileinformation.FileBasicInformation;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.smbj.share.DiskEntry;
import com.hierynomus.smbj.share.DiskShare;
import org.capsync.definition.SmbLocation;
import org.capsync.support.SambaServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The attributes capsync asks for without waiting are the server's own: read from a real Samba server, they match what
 * smbj's own (waiting) query answers, for a folder and a hidden file; a failure is the server's status.
 */
class AttributesAheadTest {

    private static final long DIRECTORY = FileAttributes.FILE_ATTRIBUTE_DIRECTORY.getValue();
    private static final long HIDDEN = FileAttributes.FILE_ATTRIBUTE_HIDDEN.getValue();

    @RegisterExtension
    static final SambaServer samba = SambaServer.forTestClass().guestShare("caps").build();

    @Test
    void aFoldersAndAHiddenFilesAttributesAreWhatTheServerSays() throws Exception {
        Path box = samba.folder("caps", "attributes/clidata.box");
        Files.write(box.resolve(".client.lkp"), new byte[] {1, 2, 3}); // Samba shows a dot file as hidden
        SmbLocation location = SmbLocation.parse(samba.url("caps", "attributes"));

        try (SmbSessions sessions = new SmbSessions(SmbCredentials.GUEST)) {
            sessions.onShare(location, share -> {
                try (DiskEntry folder = open(share, location.pathInShare("clidata.box"));
                     DiskEntry file = open(share, location.pathInShare("clidata.box", ".client.lkp"))) {
                    AttributesAhead ofFolder = AttributesAhead.ask(folder);
                    AttributesAhead ofFile = AttributesAhead.ask(file);

                    assertThat(ofFolder.attributes()).isEqualTo(waitedFor(folder));
                    assertThat(ofFolder.attributes() & DIRECTORY).isNotZero();
                    assertThat(ofFile.attributes()).isEqualTo(waitedFor(file));
                    assertThat(ofFile.attributes() & (HIDDEN | DIRECTORY)).isEqualTo(HIDDEN);
                    assertThat(ofFolder.isLink()).isFalse();
                    assertThat(ofFile.isLink()).isFalse();
                }
                return null;
            });
        }
    }

    @Test
    void aClosedHandleIsTheServersFailure() throws Exception {
        Path box = samba.folder("caps", "closed/clidata.box");
        Files.write(box.resolve("client.lkp"), new byte[] {1});
        SmbLocation location = SmbLocation.parse(samba.url("caps", "closed"));

        try (SmbSessions sessions = new SmbSessions(SmbCredentials.GUEST)) {
            sessions.onShare(location, share -> {
                DiskEntry file = open(share, location.pathInShare("clidata.box", "client.lkp"));
                file.close();

                AttributesAhead asked = AttributesAhead.ask(file);

                assertThatThrownBy(asked::isLink).isInstanceOfSatisfying(SMBApiException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(0xC0000128L)); // STATUS_FILE_CLOSED
                return null;
            });
        }
    }

    private static DiskEntry open(DiskShare share, String path) {
        return share.open(path, EnumSet.of(AccessMask.FILE_READ_ATTRIBUTES), null, SMB2ShareAccess.ALL,
                SMB2CreateDisposition.FILE_OPEN, null);
    }

    private static long waitedFor(DiskEntry entry) {
        return entry.getFileInformation(FileBasicInformation.class).getFileAttributes();
    }
}

package org.capsync.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SmbLocationTest {

    @Test
    void readsHostPortShareAndFolder() {
        assertThat(SmbLocation.parse("smb://SITE01:1445/CAP_XYZ/sub/folder"))
                .isEqualTo(new SmbLocation("site01", 1445, "CAP_XYZ", "sub\\folder"));
        assertThat(SmbLocation.parse("SMB://site01/CAP_XYZ")).isEqualTo(new SmbLocation("site01", 445, "CAP_XYZ", ""));
        assertThat(SmbLocation.parse("smb://[::1]:4445/caps/")).isEqualTo(new SmbLocation("::1", 4445, "caps", ""));
        assertThat(SmbLocation.parse("smb://srv/My Share\\x")).isEqualTo(new SmbLocation("srv", 445, "My Share", "x"));
    }

    @Test
    void buildsPathsInsideTheShareAndNamesForMessages() {
        SmbLocation cap = SmbLocation.parse("smb://srv:1445/caps/CAP_001");
        assertThat(cap.pathInShare("clidata.box", "client.lkp")).isEqualTo("CAP_001\\clidata.box\\client.lkp");
        assertThat(cap.pathInShare("a/b", "client.lkp")).isEqualTo("CAP_001\\a\\b\\client.lkp");
        assertThat(SmbLocation.parse("smb://srv/caps").pathInShare("", "client.lkp")).isEqualTo("client.lkp");
        assertThat(cap.describe(cap.pathInShare("clidata.box"))).isEqualTo("smb://srv:1445/caps/CAP_001/clidata.box");
        assertThat(SmbLocation.parse("smb://srv/caps").server()).isEqualTo("smb://srv");
    }

    @Test
    void refusesCredentialsWithoutRepeatingThem() {
        assertThatThrownBy(() -> SmbLocation.parse("smb://admin:Hunter2@srv/caps"))
                .hasMessageContaining("must not carry a user or password")
                .hasMessageNotContaining("Hunter2");
    }

    @Test
    void refusesPathsWithoutHostOrShareOrWithBadPortsOrDots() {
        assertThatThrownBy(() -> SmbLocation.parse("smb:///caps")).hasMessageContaining("no host");
        assertThatThrownBy(() -> SmbLocation.parse("smb://srv")).hasMessageContaining("names no share");
        assertThatThrownBy(() -> SmbLocation.parse("smb://srv/")).hasMessageContaining("names no share");
        assertThatThrownBy(() -> SmbLocation.parse("smb://srv:0/caps")).hasMessageContaining("bad port");
        assertThatThrownBy(() -> SmbLocation.parse("smb://srv:x/caps")).hasMessageContaining("bad port");
        assertThatThrownBy(() -> SmbLocation.parse("smb://srv/caps/../x")).hasMessageContaining("'..'");
    }
}

package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.capsync.definition.Cap;
import org.capsync.definition.CapList;
import org.capsync.definition.SmbLocation;
import org.junit.jupiter.api.Test;

class SmbSharesAheadTest {

    @Test
    void theSharesConnectedAheadAreThoseOfTheEnabledSmbCapsInListOrder() {
        CapList caps = new CapList(Path.of("caps.csv"), List.of(
                new Cap("LOCAL", "/srv/cap", true, 2),
                new Cap("OFF", "smb://off/CAP_OFF", false, 3),
                new Cap("A", "smb://a/CAP_A", true, 4),
                new Cap("B", "smb://b:1445/CAP_B/sub", true, 5),
                new Cap("C", "smb://c/CAP_C", true, 6)));

        assertThat(RunCommand.smbShares(caps)).containsExactly(SmbLocation.parse("smb://a/CAP_A"),
                SmbLocation.parse("smb://b:1445/CAP_B/sub"), SmbLocation.parse("smb://c/CAP_C"));
        assertThat(RunCommand.smbShares(new CapList(Path.of("caps.csv"), List.of(new Cap("L", "/srv/l", true, 2))))).isEmpty();
    }

    @Test
    void oneThreadConnectsAheadPerFourCopyingThreads() {
        assertThat(List.of(1, 4, 5, 16, 64).stream().map(RunCommand::aheadThreads)).containsExactly(1, 1, 2, 4, 16);
    }
}

package org.capsync.copy.smb;

import static org.assertj.core.api.Assertions.assertThat;

import com.hierynomus.mssmb2.SMB2MessageCommandCode;
import com.hierynomus.mssmb2.SMBApiException;
import org.capsync.copy.CopyException;
import org.capsync.copy.CopyFailure;
import org.capsync.copy.SharingViolation;
import org.capsync.copy.smb.SmbSharingViolations.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The NT status codes a Windows or Samba server answers, as smbj hands them over, and what capsync makes of them. */
class SmbSharingViolationsTest {

    static final String WHAT = "smb://srv/CAP_XYZ/clidata.box/client.lkp";

    /** Sharing violation, file lock conflict, lock not granted, delete pending: in use at every step. */
    @ParameterizedTest
    @ValueSource(longs = {0xC0000043L, 0xC0000054L, 0xC0000055L, 0xC0000056L})
    void aClientHoldingOrLockingTheFileIsInUseAtEveryStep(long status) {
        for (Step step : Step.values()) {
            CopyException e = classify(status, step);
            assertThat(e).as("%s at %s", Long.toHexString(status), step).isInstanceOf(SharingViolation.class);
            assertThat(e.reason()).startsWith("in use").contains(String.format("0x%08x", status)).contains(WHAT);
        }
    }

    @Test
    void theReasonNamesTheStatus() {
        assertThat(classify(0xC0000043L, Step.OPEN_TARGET_FOR_DELETE).reason()).contains("STATUS_SHARING_VIOLATION");
        assertThat(classify(0xC0000054L, Step.READ_TARGET).reason()).contains("STATUS_FILE_LOCK_CONFLICT");
        assertThat(classify(0xC0000055L, Step.READ_TARGET).reason()).contains("STATUS_LOCK_NOT_GRANTED");
        assertThat(classify(0xC0000056L, Step.OPEN_TARGET_FOR_DELETE).reason()).contains("STATUS_DELETE_PENDING");
    }

    /** Windows refuses a rename-with-replace over a target someone has open with access denied. */
    @Test
    void accessDeniedIsInUseOnlyOnTheRename() {
        assertThat(classify(0xC0000022L, Step.RENAME)).isInstanceOf(SharingViolation.class);
        for (Step step : new Step[] {Step.READ_TARGET, Step.WRITE_TEMP, Step.OPEN_TARGET_FOR_DELETE, Step.TOKEN}) {
            CopyException e = classify(0xC0000022L, step);
            assertThat(e).as(step.name()).isInstanceOf(CopyFailure.class);
            assertThat(e.reason()).startsWith("access denied").contains("STATUS_ACCESS_DENIED").contains(WHAT);
        }
    }

    @ParameterizedTest
    @EnumSource(Step.class)
    void otherAnswersAreFailures(Step step) {
        assertThat(classify(0xC0000034L, step)).isInstanceOf(CopyFailure.class).hasMessageContaining("not found");
        assertThat(classify(0xC000003AL, step)).isInstanceOf(CopyFailure.class).hasMessageContaining("not found");
        assertThat(classify(0xC00000CCL, step)).isInstanceOf(CopyFailure.class).hasMessageContaining("share not found");
        assertThat(classify(0xC000007FL, step)).isInstanceOf(CopyFailure.class).hasMessageContaining("STATUS_DISK_FULL");
        assertThat(classify(0xC000006DL, step)).isInstanceOf(CopyFailure.class).hasMessageContaining("STATUS_LOGON_FAILURE");
    }

    @Test
    void aCodeSmbjDoesNotNameIsReportedInHex() {
        assertThat(classify(0xC0DE0001L, Step.WRITE_TEMP)).isInstanceOf(CopyFailure.class).hasMessageContaining("0xc0de0001");
    }

    @Test
    void aForgottenSessionIsWorthAReconnectAndNothingElseIs() {
        assertThat(SmbSharingViolations.isSessionLost(0xC00000C9L)).isTrue(); // STATUS_NETWORK_NAME_DELETED
        assertThat(SmbSharingViolations.isSessionLost(0xC0000203L)).isTrue(); // STATUS_USER_SESSION_DELETED
        assertThat(SmbSharingViolations.isSessionLost(0xC000035CL)).isTrue(); // STATUS_NETWORK_SESSION_EXPIRED
        assertThat(SmbSharingViolations.isSessionLost(0xC0000043L)).isFalse();
        assertThat(SmbSharingViolations.isSessionLost(0xC000006DL)).isFalse();
    }

    private static CopyException classify(long status, Step step) {
        return SmbSharingViolations.classify(new SMBApiException(status, SMB2MessageCommandCode.SMB2_CREATE, "Create failed", null), step, WHAT);
    }
}

package org.capsync.bench;

/**
 * Figure 4: copies to CAPs on a Samba share reached through a {@link DelayingProxy}, with 1 and with 16 threads.
 * Needs capsync's smb:// transport (issue 5).
 */
final class LatencyBench {

    private LatencyBench() {
    }

    /** Why figure 4 cannot run on this build, or null when it can. */
    static String unavailable() {
        try {
            Class.forName("org.capsync.copy.smb.SmbTransport");
            return "the smb:// transport is on the classpath but the benchmark does not drive it yet";
        } catch (ClassNotFoundException e) {
            return "capsync has no smb:// transport yet (issue 5 is not merged into this build)";
        }
    }
}

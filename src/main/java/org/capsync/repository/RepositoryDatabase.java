package org.capsync.repository;

/** Settings that must be in place before H2 is loaded. */
public final class RepositoryDatabase {

    private RepositoryDatabase() {
    }

    /**
     * H2 binds the {@code AUTO_SERVER} socket to {@code h2.bindAddress} when it is set; without it the socket listens on
     * every interface, which H2's maintainer calls dangerous. Loopback keeps the repository to this machine.
     */
    public static void confineToLoopback() {
        System.setProperty("h2.bindAddress", "127.0.0.1");
    }
}

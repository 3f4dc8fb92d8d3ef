package org.capsync.repository;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * How the repository names the process that made an outcome: {@code host:pid}. A worker's name is in every pair it
 * copied; for a local run it is the site server's own.
 */
public final class ProcessName {

    private ProcessName() {
    }

    public static String current() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }
}

package org.capsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** What the fixtures that start a real server (PostgreSQL, Artemis, Samba) share. */
final class TestServices {

    private TestServices() {
    }

    /** A service the tests need cannot start: skipped with the reason, except under {@code CI=true}, where it fails. */
    static void unavailable(String why) {
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(why + " (CI=true: a missing service fails the build)");
        }
        Assumptions.abort(why);
    }

    /** A TCP port free on the loopback address now, for a server the test starts. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a server's temp folder and everything in it. */
    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

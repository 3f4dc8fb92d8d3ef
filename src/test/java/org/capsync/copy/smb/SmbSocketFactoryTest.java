package org.capsync.copy.smb;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.junit.jupiter.api.Test;

class SmbSocketFactoryTest {

    private final SmbSessions.SmbSocketFactory factory = new SmbSessions.SmbSocketFactory(2000);

    @Test
    void connectionsToTheServerSendSmallRequestsAtOnce() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket socket = factory.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            assertTrue(socket.isConnected());
            assertTrue(socket.getTcpNoDelay(), "Nagle's algorithm would hold back one thread's request behind another's");
        }
    }

    @Test
    void aServerThatIsNotListeningIsRefusedNotWaitedFor() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        assertThrows(IOException.class, () -> factory.createSocket(InetAddress.getLoopbackAddress(), port));
    }
}

package org.capsync.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.capsync.support.HistoryJson.row;
import static org.capsync.support.HistoryJson.rows;

import java.io.IOException;
import java.io.Reader;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.capsync.demo.ClientSimulator;
import org.capsync.repository.RepositoryConnection;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.Cli;
import org.capsync.support.HistoryJson;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history commands while {@code capsync run} is going in another process: they answer, show the run as STARTED
 * with its progress, and leave it unharmed. The run serves the repository on the loopback address only, and a run
 * never comes to depend on a reader's process.
 */
class ReadsDuringARunTest {

    @TempDir
    Path dir;

    @Test
    void historyShowAndCapsAnswerWhileARunIsInProgressInAnotherProcess() throws Exception {
        TestSite site = TestSite.withCaps(dir, 3).retry("{ attempts: 60, delay: 500ms, multiplier: 1 }");
        Files.write(site.capFile("CAP_002"), TestSite.bytes(100, 9));
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(2));
             CapsyncProcess run = CapsyncProcess.start(site, "run", "job.yml")) {
            long id = HistoryJson.awaitRetrying(site, "CAP_002", run);
            HistoryJson.await("the first pass", () -> rows(site, "history").get(0).path("copied").asInt() == 2);

            JsonNode execution = rows(site, "history", "client-lkp").get(0);
            assertThat(execution.path("executionId").asLong()).isEqualTo(id);
            assertThat(execution.path("status").asText()).isEqualTo("STARTED");
            assertThat(execution.path("end").isNull()).isTrue();
            assertThat(execution.path("durationMs").asLong()).isPositive();
            assertThat(execution.path("copied").asInt()).isEqualTo(2);
            assertThat(execution.path("remaining").asInt()).isEqualTo(1);

            List<JsonNode> pairs = rows(site, "show", Long.toString(id), "--attempts");
            assertThat(row(pairs, "cap", "CAP_001").path("status").asText()).isEqualTo("COPIED");
            assertThat(row(pairs, "cap", "CAP_003").path("status").asText()).isEqualTo("COPIED");
            JsonNode waiting = row(pairs, "cap", "CAP_002");
            assertThat(waiting.path("status").asText()).isEqualTo("RETRY");
            assertThat(waiting.path("error").asText()).contains("in use");
            assertThat(waiting.path("attemptLog").size()).isEqualTo(waiting.path("attempts").asInt()).isPositive();

            List<JsonNode> caps = rows(site, "caps", "client-lkp");
            assertThat(row(caps, "cap", "CAP_001").path("current").asBoolean()).isTrue();
            JsonNode behind = row(caps, "cap", "CAP_002");
            assertThat(behind.path("current").asBoolean()).isFalse();
            assertThat(behind.path("status").asText()).isEqualTo("RETRY");
            assertThat(behind.path("staleSinceExecution").asLong()).isEqualTo(id);

            // The same from a third process, as an administrator's shell would ask.
            CapsyncProcess reader = CapsyncProcess.start(site, "history", "--json");
            assertThat(reader.waitFor(60)).as(reader.output()).isZero();
            JsonNode seen = HistoryJson.parse(reader.output()).get(0);
            assertThat(seen.path("executionId").asLong()).isEqualTo(id);
            assertThat(seen.path("status").asText()).isEqualTo("STARTED");

            assertThat(run.isAlive()).as("the run goes on while it is read").isTrue();
            client.close();
            assertThat(run.waitFor(120)).as(run.output()).isZero();
            assertThat(run.output()).contains("client-lkp: 3 copied, 0 unchanged, 0 skipped, 0 failed (execution " + id + ", COMPLETED)");
        }
        JsonNode done = rows(site, "history").get(0);
        assertThat(done.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.path("copied").asInt()).isEqualTo(3);
        assertThat(done.path("remaining").asInt()).isZero();
    }

    @Test
    void theRunServesTheRepositoryOnTheLoopbackAddressOnly() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2).retry("{ attempts: 60, delay: 500ms, multiplier: 1 }");
        Files.write(site.capFile("CAP_001"), TestSite.bytes(100, 9));
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_001"), Duration.ofMinutes(2));
             CapsyncProcess run = CapsyncProcess.start(site, "run", "job.yml")) {
            HistoryJson.awaitRetrying(site, "CAP_001", run);

            // H2 writes where its AUTO_SERVER listens into the lock file, for other processes to connect to.
            Properties lock = new Properties();
            try (Reader in = Files.newBufferedReader(site.home().resolve("repository/capsync.lock.db"))) {
                lock.load(in);
            }
            String server = lock.getProperty("server");
            assertThat(server).as("the repository is served").isNotNull();
            int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));

            List<InetAddress> listening = listeningAddresses(port);
            if (listening != null) {
                assertThat(listening).as("sockets listening on port %d", port).isNotEmpty()
                        .allSatisfy(address -> assertThat(address.isLoopbackAddress()).as(address.toString()).isTrue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            }
            List<InetAddress> others = nonLoopbackAddresses();
            assertThat(listening != null || !others.isEmpty())
                    .as("neither /proc/net/tcp nor a non-loopback address to check the binding with").isTrue();
            for (InetAddress other : others) {
                assertThatThrownBy(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(other, port), 2000);
                    }
                }).as("connecting from %s", other).isInstanceOf(ConnectException.class);
            }
            client.close();
            assertThat(run.waitFor(120)).as(run.output()).isZero();
        }
    }

    @Test
    void aRunWaitsForAReaderThatHasTheRepositoryOpenInsteadOfDependingOnIt() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2);
        assertThat(Cli.run(site, "run", "job.yml").exitCode()).isZero();
        site.source("client.lkp", TestSite.bytes(5000, 3));

        Instant released;
        CapsyncProcess run;
        // A reader that has the repository open (read-only, no run holding it) and is slow to let go.
        try (RepositoryConnection reader = RepositoryConnection.open(site.capsyncHome()).orElseThrow()) {
            run = CapsyncProcess.start(site, "run", "job.yml");
            HistoryJson.await("the run to wait for the reader", () -> run.output().contains("waiting for a history query"));
            Thread.sleep(1000);
            assertThat(run.isAlive()).as(run.output()).isTrue();
            assertThat(new HistoryQueries(reader.jdbc()).executions(null, null, 10)).as("nothing started yet").hasSize(1);
            released = Instant.now();
        }
        try (run) {
            assertThat(run.waitFor(120)).as(run.output()).isZero();
        }
        JsonNode second = rows(site, "history").get(0);
        assertThat(second.path("copied").asInt()).isEqualTo(2);
        assertThat(HistoryJson.time(second.path("start"))).isAfter(released);
    }

    /** The addresses listening on {@code port} per /proc/net/tcp and tcp6, or null where there is no /proc. */
    private static List<InetAddress> listeningAddresses(int port) throws IOException {
        Path tcp = Path.of("/proc/net/tcp");
        if (!Files.exists(tcp)) {
            return null;
        }
        List<InetAddress> addresses = new ArrayList<>();
        for (Path table : List.of(tcp, Path.of("/proc/net/tcp6"))) {
            if (!Files.exists(table)) {
                continue;
            }
            for (String line : Files.readAllLines(table).subList(1, Files.readAllLines(table).size())) {
                String[] f = line.trim().split("\\s+");
                String[] local = f[1].split(":");
                if (f[3].equals("0A") && Integer.parseInt(local[1], 16) == port) {
                    addresses.add(procAddress(local[0]));
                }
            }
        }
        return addresses;
    }

    /** /proc/net writes each 32-bit word of an address in host (little-endian) order. */
    private static InetAddress procAddress(String hex) throws IOException {
        byte[] raw = HexFormat.of().parseHex(hex);
        byte[] address = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                address[word + i] = raw[word + 3 - i];
            }
        }
        return InetAddress.getByAddress(address);
    }

    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        addresses.add(address);
                    }
                }
            }
        }
        return addresses;
    }
}

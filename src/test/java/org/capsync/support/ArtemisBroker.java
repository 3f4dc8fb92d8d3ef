package org.capsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real ActiveMQ Artemis broker process for one test class: Artemis's own {@code artemis create} makes an instance in a
 * temp folder (login required, one user, one acceptor on 127.0.0.1 and a free port, no web console), then
 * {@code artemis run} serves it until {@link #close()}, which ends the broker and every process it started and deletes
 * the instance. The distribution is the {@code apache-artemis} bin archive that the build unpacks under
 * {@code target/artemis}. When the broker cannot start the tests are skipped with the reason, except under
 * {@code CI=true}, where they fail.
 *
 * <pre>{@code
 * static ArtemisBroker broker;
 * @BeforeAll static void start() { broker = ArtemisBroker.start(); }
 * @AfterAll static void stop() { broker.close(); }
 * }</pre>
 */
public final class ArtemisBroker implements AutoCloseable {

    public static final String USER = "capsync";
    /** AMQ221007: "Server is now active" (older releases: "live"), logged once the acceptors take connections. */
    private static final String ACTIVE = "AMQ221007";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Small: several brokers and capsync JVMs share the test machine. */
    private static final String JAVA_ARGS = "-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
            + "-Dlog4j2.disableJmx=true --add-opens java.base/jdk.internal.misc=ALL-UNNAMED";

    private final Path dir;
    private final Path log;
    private final int port;
    private final String password;
    private Process process;
    private Thread stopOnExit;

    private ArtemisBroker(Path dir, int port, String password) {
        this.dir = dir;
        this.log = dir.resolve("broker.log");
        this.port = port;
        this.password = password;
    }

    /** Creates and starts a broker from the distribution under {@code target/artemis}; skips or fails the test when it cannot. */
    public static ArtemisBroker start() {
        return start(Path.of("target", "artemis").toAbsolutePath());
    }

    static ArtemisBroker start(Path distributions) {
        Path artemis = distribution(distributions.toAbsolutePath());
        ArtemisBroker broker;
        try {
            broker = new ArtemisBroker(Files.createTempDirectory("capsync-artemis-"), TestServices.freePort(),
                    HexFormat.of().formatHex(new SecureRandom().generateSeed(12)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            broker.create(artemis);
            broker.configureCapsyncQueues();
            broker.run();
            return broker;
        } catch (RuntimeException | IOException e) {
            String why = e.getMessage() + "\n" + broker.logTail();
            broker.close();
            TestServices.unavailable("the Artemis broker did not start: " + why);
            throw new IllegalStateException("unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.close();
            throw new IllegalStateException("interrupted while starting the Artemis broker", e);
        }
    }

    private static Path distribution(Path distributions) {
        try (Stream<Path> found = Files.isDirectory(distributions) ? Files.list(distributions) : Stream.empty()) {
            Path dist = found.filter(d -> d.getFileName().toString().startsWith("apache-artemis-"))
                    .filter(d -> Files.isRegularFile(d.resolve("bin/artemis")))
                    .max(Comparator.naturalOrder()).orElse(null);
            if (dist == null) {
                TestServices.unavailable("no Artemis distribution under " + distributions.toAbsolutePath()
                        + " (the build unpacks it in its process-test-classes phase)");
            }
            return dist;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void create(Path artemis) throws IOException, InterruptedException {
        List<String> command = List.of("bash", artemis.resolve("bin/artemis").toString(), "create", "--silent", "--force",
                "--no-web", "--nio", "--no-autotune", "--no-fsync", "--require-login", "--user", USER, "--password", password,
                "--host", "127.0.0.1", "--default-port", String.valueOf(port), "--no-amqp-acceptor", "--no-mqtt-acceptor",
                "--no-stomp-acceptor", "--no-hornetq-acceptor", "--java-memory", "256M", instance().toString());
        Process create = processBuilder(command).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!create.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            killTree(create);
            throw new IllegalStateException("artemis create did not finish within " + START_TIMEOUT.toSeconds() + " s");
        }
        if (create.exitValue() != 0) {
            throw new IllegalStateException("artemis create exited " + create.exitValue());
        }
    }

    /**
     * What docs/workers.md tells an administrator to add to broker.xml: capsync's queues never dead-letter a request
     * (the repository decides what is still to be done) and wait a little before handing one out again. Shorter
     * delays than in production, so the tests' take-overs are quick.
     */
    private void configureCapsyncQueues() throws IOException {
        Path xml = instance().resolve("etc/broker.xml");
        String text = Files.readString(xml, StandardCharsets.UTF_8);
        String settings = "<address-setting match=\"capsync.partitions.#\">"
                + "<redelivery-delay>100</redelivery-delay><redelivery-delay-multiplier>2</redelivery-delay-multiplier>"
                + "<max-redelivery-delay>500</max-redelivery-delay><max-delivery-attempts>-1</max-delivery-attempts>"
                + "<auto-create-queues>true</auto-create-queues><auto-delete-queues>false</auto-delete-queues>"
                + "</address-setting>\n         ";
        String anchor = "<address-setting match=\"#\">";
        if (!text.contains(anchor)) {
            throw new IllegalStateException("broker.xml has no " + anchor);
        }
        Files.writeString(xml, text.replaceFirst(java.util.regex.Pattern.quote(anchor), settings + anchor), StandardCharsets.UTF_8);
    }

    private void run() throws IOException, InterruptedException {
        stopOnExit = new Thread(this::stop, "stop-test-artemis");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        process = processBuilder(List.of("bash", instance().resolve("bin/artemis").toString(), "run"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.readString(log, StandardCharsets.UTF_8).contains(ACTIVE)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("artemis run exited " + process.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not log " + ACTIVE + " within " + START_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private ProcessBuilder processBuilder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_ARGS", JAVA_ARGS);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder;
    }

    /** {@code tcp://127.0.0.1:PORT}. */
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return password;
    }

    /** The environment that points capsync at this broker. */
    public Map<String, String> env() {
        return Map.of("CAPSYNC_BROKER_URL", url(), "CAPSYNC_BROKER_USER", USER, "CAPSYNC_BROKER_PASSWORD", password);
    }

    /** The broker's own folder (its etc/ holds broker.xml). */
    public Path instance() {
        return dir.resolve("instance");
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no broker log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (stopOnExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs stop() itself
            }
        }
        stop();
    }

    private synchronized void stop() {
        if (process != null) {
            killTree(process);
            process = null;
        }
        if (Files.exists(dir)) {
            try {
                TestServices.deleteTree(dir);
            } catch (UncheckedIOException e) {
                System.err.println("ArtemisBroker: could not delete " + dir + ": " + e.getMessage());
            }
        }
    }

    /** SIGTERM to the broker and its children (the broker shuts down cleanly on it), then SIGKILL to what is left. */
    private static void killTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle p : tree) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

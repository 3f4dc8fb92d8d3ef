package org.capsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Samba server ({@code smbd} from Debian's samba package) for one test class, on 127.0.0.1 and a free port, with
 * every bit of state in a temp folder: nothing of the machine's own Samba set-up is read or changed, except a Unix
 * account {@value #USER} that Samba's user share maps to. Guest shares and one user share. When smbd is missing the
 * tests are skipped, except under {@code CI=true}, where they fail.
 *
 * <p>For one test class, in a temp folder of its own that goes with it:
 * <pre>{@code @RegisterExtension static final SambaServer samba = SambaServer.forTestClass().guestShare("caps").build();}</pre>
 */
public final class SambaServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    /** The Unix account (created when missing) behind the SMB user {@value #USER}. */
    public static final String USER = "capsynctest";
    /** Its SMB password, in this temp Samba's own password database only. */
    public static final String PASSWORD = "Cap$ync-S3cret!4711";

    private final Map<String, Boolean> shares;
    private final long fileSizeLimit;
    /** Whether the temp folder is this server's own, made before the test class and deleted after it. */
    private final boolean ownFolder;
    private Path base;
    private Path conf;
    private int port;
    private Process smbd;

    private SambaServer(Path base, Map<String, Boolean> shares, long fileSizeLimit) {
        this.shares = shares;
        this.fileSizeLimit = fileSizeLimit;
        this.ownFolder = base == null;
        if (base != null) {
            locate(base);
        }
    }

    private void locate(Path base) {
        this.base = base;
        this.conf = base.resolve("smb.conf");
        this.port = TestServices.freePort();
    }

    /** A server whose state is kept in {@code base}, started by {@link Builder#start()}. */
    public static Builder in(Path base) {
        return new Builder(base);
    }

    /** A server for one test class, started before its first test and stopped and deleted after its last. */
    public static Builder forTestClass() {
        return new Builder(null);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        locate(Files.createTempDirectory("capsync-samba-"));
        setUp();
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
        if (ownFolder && base != null) {
            TestServices.deleteTree(base);
        }
    }

    public static final class Builder {
        private final Path base;
        private final Map<String, Boolean> shares = new LinkedHashMap<>();
        private long fileSizeLimit;

        private Builder(Path base) {
            this.base = base;
        }

        /** A share anyone may write to as guest. */
        public Builder guestShare(String name) {
            shares.put(name, true);
            return this;
        }

        /** A share only {@value SambaServer#USER} may use. */
        public Builder userShare(String name) {
            shares.put(name, false);
            return this;
        }

        /**
         * No file written larger than this (a multiple of 512 bytes): a WRITE beyond it is refused as a full disk is
         * ({@code EFBIG}, which Samba answers with {@code STATUS_DISK_FULL}), and the server carries on. The limit holds
         * for smbd's own files too (its log, its state databases): keep it at a megabyte or more.
         */
        public Builder fileSizeLimit(long bytes) {
            this.fileSizeLimit = bytes;
            return this;
        }

        /** The server of {@link #forTestClass()}: a JUnit extension, to register on a static field. */
        public SambaServer build() {
            if (base != null) {
                throw new IllegalStateException("a server in a folder of the caller's is started with start()");
            }
            return new SambaServer(null, shares, fileSizeLimit);
        }

        public SambaServer start() {
            SambaServer server = new SambaServer(base, shares, fileSizeLimit);
            server.setUp();
            server.start();
            return server;
        }
    }

    /** Skips the test (or fails it under CI=true) when smbd is not installed or capsync's tests do not run as root. */
    public static void requireSmbd() {
        String missing = null;
        if (smbd() == null) {
            missing = "smbd is not installed (apt-get install samba)";
        } else if (!"0".equals(run(List.of("id", "-u"), null).strip())) {
            missing = "smbd needs root to serve files as several users";
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("Samba tests cannot run under CI: " + missing);
            }
            Assumptions.abort("Samba tests skipped: " + missing);
        }
    }

    private void setUp() {
        requireSmbd();
        try {
            // Guest access maps to 'nobody', who must be able to walk into the temp folder.
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String dir : List.of("private", "lock", "state", "cache", "pid", "ncalrpc")) {
                Files.createDirectories(base.resolve(dir));
            }
            Files.setPosixFilePermissions(base.resolve("ncalrpc"), PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String share : shares.keySet()) {
                open(sharePath(share));
            }
            Files.writeString(conf, config());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!run(List.of("id", "-u", USER), null).strip().matches("\\d+")) {
            run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER), null);
        }
        run(List.of(pdbedit(), "-s", conf.toString(), "-a", "-t", "-u", USER), PASSWORD + "\n" + PASSWORD + "\n");
    }

    private String config() {
        StringBuilder c = new StringBuilder();
        c.append("[global]\n")
                .append("  server role = standalone server\n")
                .append("  interfaces = 127.0.0.1\n")
                .append("  bind interfaces only = yes\n")
                .append("  smb ports = ").append(port).append('\n')
                .append("  disable netbios = yes\n")
                .append("  private dir = ").append(base.resolve("private")).append('\n')
                .append("  lock directory = ").append(base.resolve("lock")).append('\n')
                .append("  state directory = ").append(base.resolve("state")).append('\n')
                .append("  cache directory = ").append(base.resolve("cache")).append('\n')
                .append("  pid directory = ").append(base.resolve("pid")).append('\n')
                .append("  ncalrpc dir = ").append(base.resolve("ncalrpc")).append('\n')
                .append("  passdb backend = tdbsam:").append(base.resolve("private/passdb.tdb")).append('\n')
                .append("  map to guest = Bad User\n")
                .append("  guest account = nobody\n")
                .append("  load printers = no\n")
                .append("  printcap name = /dev/null\n")
                .append("  disable spoolss = yes\n")
                .append("  log level = 1\n");
        shares.forEach((name, guest) -> {
            c.append('[').append(name).append("]\n")
                    .append("  path = ").append(sharePath(name)).append('\n')
                    .append("  read only = no\n")
                    .append("  create mask = 0666\n")
                    .append("  directory mask = 0777\n");
            if (guest) {
                c.append("  guest ok = yes\n");
            } else {
                c.append("  guest ok = no\n").append("  valid users = ").append(USER).append('\n');
            }
        });
        return c.toString();
    }

    /** Starts smbd (again, after {@link #stop()}) on the same port and state, and waits until it accepts connections. */
    public synchronized void start() {
        if (smbd != null && smbd.isAlive()) {
            return;
        }
        try {
            // No --no-process-group: smbd then leads its own process group, and its SIGTERM never reaches this JVM.
            List<String> command = new ArrayList<>();
            if (fileSizeLimit > 0) {
                // SIGXFSZ ignored (kept so across exec): a write past the limit fails with EFBIG instead of ending smbd.
                command.addAll(List.of("sh", "-c", "trap '' XFSZ && ulimit -f " + fileSizeLimit / 512 + " && exec \"$@\"", "sh"));
            }
            command.addAll(List.of(smbd(), "--foreground", "--debug-stdout", "-s", conf.toString()));
            smbd = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("smbd.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!smbd.isAlive()) {
                Assertions.fail("smbd exited with " + smbd.exitValue() + ": " + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                sleep(50);
            }
        }
        stop();
        Assertions.fail("smbd did not accept connections on 127.0.0.1:" + port + " within 20 s: " + logTail());
    }

    /** Stops smbd and its children (SIGTERM to the parent, which ends its process group). */
    public synchronized void stop() {
        if (smbd == null) {
            return;
        }
        List<ProcessHandle> children = smbd.descendants().toList();
        smbd.destroy();
        try {
            if (!smbd.waitFor(10, TimeUnit.SECONDS)) {
                smbd.destroyForcibly();
                smbd.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        smbd = null;
    }

    @Override
    public void close() {
        stop();
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code smb://127.0.0.1:PORT/SHARE[/FOLDER]}. */
    public String url(String share, String folder) {
        return "smb://" + host() + ":" + port + "/" + share + (folder == null || folder.isEmpty() ? "" : "/" + folder);
    }

    /** Where a share's files are on this machine's disk. */
    public Path sharePath(String share) {
        return base.resolve("shares").resolve(share);
    }

    /** Creates a folder in a share that guests and the user may write to, and returns its path on disk. */
    public Path folder(String share, String relative) {
        Path folder = sharePath(share);
        for (String part : relative.split("/")) {
            if (!part.isEmpty()) {
                folder = open(folder.resolve(part));
            }
        }
        return folder;
    }

    /** The smbd processes serving a logged-on client session now, one per SMB connection (as {@code smbstatus -b} lists them). */
    public List<Long> sessionProcesses() {
        List<Long> pids = new ArrayList<>();
        for (String line : run(List.of(executable("smbstatus"), "-b", "-s", conf.toString()), null).split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length > 1 && fields[0].matches("\\d+")) {
                pids.add(Long.parseLong(fields[0]));
            }
        }
        return pids;
    }

    /** Ends the smbd process serving one connection, as a server does that drops a client; the others carry on. */
    public void dropConnection(long pid) {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        process.destroy();
        process.onExit().orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Sets {@value #USER}'s password; sessions already logged on stay, new logons need the new one. */
    public void setPassword(String password) {
        run(List.of(executable("smbpasswd"), "-c", conf.toString(), "-s", USER), password + "\n" + password + "\n");
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(base.resolve("smbd.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no smbd log: " + e.getMessage() + ")";
        }
    }

    private static Path open(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String smbd() {
        return executable("smbd");
    }

    private static String pdbedit() {
        String path = executable("pdbedit");
        if (path == null) {
            Assertions.fail("pdbedit not found next to smbd (package samba-common-bin)");
        }
        return path;
    }

    private static String executable(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }

    private static String run(List<String> command, String input) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (input != null) {
                process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                Assertions.fail(String.join(" ", command) + " did not finish");
            }
            if (process.exitValue() != 0 && !command.get(0).equals("id")) {
                Assertions.fail(String.join(" ", command) + " exited with " + process.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

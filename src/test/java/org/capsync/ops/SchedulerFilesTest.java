package org.capsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.capsync.demo.ClientSimulator;
import org.capsync.repository.CapsyncHome;
import org.capsync.run.RunLock;
import org.capsync.support.Cli;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The scheduler wiring shipped in {@code jobs/}: the shell wrapper really runs a job and hands back each exit code, the
 * Task Scheduler XML parses and carries the policies docs/scheduling.md promises, the systemd units and the crontab
 * have the keys that make the exit codes work.
 */
class SchedulerFilesTest {

    private static final Path JOBS = Path.of("jobs");

    @TempDir
    Path dir;

    @Test
    void theShellWrapperRunsTheJobWithItsCapsyncHomeAndReturnsEachExitCode() throws Exception {
        Path app = installedCopy();
        TestSite site = TestSite.withCaps(dir.resolve("site"), 3).retry("{ attempts: 1 }");
        Map<String, String> env = Map.of("CAPSYNC_HOME", site.home().toString(), "CAPSYNC_JOB_FILE", site.jobFile().toString());

        Cli.Result ok = wrapper(app, env);
        assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.lastLine()).startsWith("client-lkp: 3 copied");
        assertThat(site.home().resolve("logs/client-lkp.log")).as("the run used the wrapper's CAPSYNC_HOME").exists();

        Files.write(site.capFile("CAP_002"), TestSite.bytes(10, 1));
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(1))) {
            Cli.Result skipped = wrapper(app, env);
            assertThat(skipped.exitCode()).as(skipped.out() + skipped.err()).isEqualTo(3);
            assertThat(skipped.lastLine()).startsWith("client-lkp: 0 copied, 2 unchanged, 1 skipped");
        }

        try (RunLock held = RunLock.acquire(new CapsyncHome(site.home()), "client-lkp")) {
            Cli.Result running = wrapper(app, env);
            assertThat(running.exitCode()).isEqualTo(4);
            assertThat(running.err()).contains("another run of job 'client-lkp' is in progress");
        }

        Cli.Result badArgument = wrapper(app, env, "--threads", "0");
        assertThat(badArgument.exitCode()).as("extra arguments reach capsync run").isEqualTo(2);
        assertThat(badArgument.err()).contains("--threads");

        Map<String, String> noServer = new LinkedHashMap<>(env);
        noServer.put("CAPSYNC_DB_URL", "jdbc:postgresql://127.0.0.1:1/capsync");
        noServer.put("CAPSYNC_DB_USER", "capsync");
        Cli.Result failed = wrapper(app, noServer);
        assertThat(failed.exitCode()).as(failed.err()).isEqualTo(1);
        assertThat(failed.err()).contains("cannot connect to the job repository");
    }

    @Test
    void withoutAJobFileTheWrapperRunsClientLkpBesideIt() throws Exception {
        Path app = installedCopy();
        TestSite site = TestSite.withCaps(dir.resolve("site"), 2);
        TestSite.write(app.resolve("jobs/client-lkp.yml"), Files.readString(site.jobFile())
                .replace("source: inbox", "source: " + site.root().resolve("inbox"))
                .replace("caps: caps.csv", "caps: " + site.capsFile()));

        Cli.Result result = wrapper(app, Map.of("CAPSYNC_HOME", site.home().toString()));

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.lastLine()).startsWith("client-lkp: 2 copied");
    }

    @Test
    void theTaskSchedulerXmlIsWellFormedAndCarriesThePolicies() throws Exception {
        byte[] bytes = Files.readAllBytes(JOBS.resolve("client-lkp.task.xml"));
        for (byte b : bytes) {
            assertThat(b).as("ASCII only, so the file may be saved as UTF-16 for schtasks").isBetween((byte) 0, (byte) 127);
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document task = factory.newDocumentBuilder().parse(JOBS.resolve("client-lkp.task.xml").toFile());

        assertThat(task.getDocumentElement().getLocalName()).isEqualTo("Task");
        assertThat(task.getDocumentElement().getNamespaceURI()).isEqualTo("http://schemas.microsoft.com/windows/2004/02/mit/task");
        XPath xpath = XPathFactory.newInstance().newXPath();
        assertThat(text(xpath, task, "Settings/MultipleInstancesPolicy")).isEqualTo("IgnoreNew");
        assertThat(text(xpath, task, "Principals/Principal/LogonType")).as("runs whether the user is logged on or not")
                .isEqualTo("Password");
        assertThat(text(xpath, task, "Settings/StartWhenAvailable")).isEqualTo("true");
        assertThat(text(xpath, task, "Settings/Enabled")).isEqualTo("true");
        Duration limit = Duration.parse(text(xpath, task, "Settings/ExecutionTimeLimit"));
        assertThat(limit).isBetween(Duration.ofHours(1), Duration.ofHours(12));
        Duration restartInterval = Duration.parse(text(xpath, task, "Settings/RestartOnFailure/Interval"));
        assertThat(restartInterval).as("the schema allows 1 minute to 31 days").isBetween(Duration.ofMinutes(1), Duration.ofDays(31));
        assertThat(Integer.parseInt(text(xpath, task, "Settings/RestartOnFailure/Count"))).isBetween(1, 255);
        NodeList triggers = (NodeList) xpath.evaluate("/*[local-name()='Task']/*[local-name()='Triggers']/*[local-name()='CalendarTrigger']",
                task, XPathConstants.NODESET);
        assertThat(triggers.getLength()).as("nightly run and its catch-up").isEqualTo(2);
        assertThat(text(xpath, task, "Actions/Exec/Command")).as("quoted: the installed path has a space")
                .startsWith("\"").endsWith("\\jobs\\run-client-lkp.cmd\"");
    }

    @Test
    void theSystemdUnitsSetTheKeysThatGiveEachExitCodeItsMeaning() throws Exception {
        Map<String, Map<String, List<String>>> service = unit(JOBS.resolve("capsync-client-lkp.service"));
        Map<String, Map<String, List<String>>> timer = unit(JOBS.resolve("capsync-client-lkp.timer"));

        Map<String, List<String>> s = service.get("Service");
        assertThat(s.get("Type")).containsExactly("oneshot");
        assertThat(s.get("ExecStart")).singleElement().asString().endsWith("/jobs/run-client-lkp.sh");
        assertThat(s.get("Environment")).anyMatch(v -> v.startsWith("CAPSYNC_HOME="));
        assertThat(words(s.get("SuccessExitStatus"))).containsExactly("3");
        assertThat(s.get("Restart")).containsExactly("on-failure");
        assertThat(words(s.get("RestartPreventExitStatus"))).containsExactlyInAnyOrder("2", "4");
        assertThat(s).containsKeys("RestartSec", "TimeoutStartSec", "User");
        assertThat(service.get("Unit")).containsKeys("StartLimitIntervalSec", "StartLimitBurst", "Description");
        Map<String, List<String>> t = timer.get("Timer");
        assertThat(t.get("Persistent")).containsExactly("true");
        assertThat(t.get("OnCalendar")).hasSize(1);
        assertThat(t.get("Unit")).containsExactly("capsync-client-lkp.service");
        assertThat(timer.get("Install").get("WantedBy")).containsExactly("timers.target");
        verifiedBySystemdWhereAvailable();
    }

    @Test
    void theCrontabRunsTheWrapperNightlyAndAgainAsTheRestart() throws Exception {
        List<String[]> entries = new ArrayList<>();
        for (String line : Files.readAllLines(JOBS.resolve("client-lkp.crontab"))) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.matches("[A-Z_]+=.*")) {
                continue;
            }
            entries.add(trimmed.split("\\s+", 7));
        }
        assertThat(entries).hasSize(2);
        for (String[] entry : entries) {
            assertThat(entry).hasSize(7);
            for (int i = 0; i < 5; i++) {
                assertThat(entry[i]).matches("\\*|[0-9]+(-[0-9]+)?(,[0-9]+)*(/[0-9]+)?");
            }
            assertThat(entry[5]).as("cron.d user field").isEqualTo("capsync");
            assertThat(entry[6]).contains("/jobs/run-client-lkp.sh");
        }
        assertThat(Files.readString(JOBS.resolve("client-lkp.crontab"))).contains("CAPSYNC_HOME=");
    }

    @Test
    void theWindowsWrapperIsACrlfBatchFileThatHandsBackCapsyncsExitCode() throws Exception {
        // Not run here (no Windows); these are the lines its behaviour rests on.
        String text = Files.readString(JOBS.resolve("run-client-lkp.cmd"));
        assertThat(text.replace("\r\n", "")).doesNotContain("\n");
        List<String> lines = text.lines().toList();
        assertThat(lines).contains("if not defined CAPSYNC_HOME set \"CAPSYNC_HOME=%ProgramData%\\capsync\"",
                "set \"LAUNCHER=%~dp0..\\capsync.cmd\"",
                "if exist \"%~dp0..\\bin\\capsync.cmd\" set \"LAUNCHER=%~dp0..\\bin\\capsync.cmd\"",
                "call \"%LAUNCHER%\" run \"%CAPSYNC_JOB_FILE%\" %*");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("exit /b %ERRORLEVEL%");
    }

    @Test
    void theWorkersSystemdUnitRunsALongLivedWorkerStoppedBySigtermAndRestartedOnFailure() throws Exception {
        Map<String, Map<String, List<String>>> service = unit(JOBS.resolve("capsync-worker.service"));

        Map<String, List<String>> s = service.get("Service");
        assertThat(s.get("Type")).containsExactly("exec");
        assertThat(s.get("ExecStart")).singleElement().asString().contains("/capsync worker").contains("--region");
        assertThat(s.get("Environment")).anyMatch(v -> v.startsWith("CAPSYNC_HOME="));
        assertThat(s.get("EnvironmentFile")).singleElement().asString().doesNotStartWith("-");
        assertThat(s.get("KillSignal")).containsExactly("SIGTERM");
        assertThat(s.get("Restart")).containsExactly("on-failure");
        assertThat(words(s.get("RestartPreventExitStatus"))).containsExactly("2");
        assertThat(s).containsKeys("TimeoutStopSec", "User", "RestartSec");
        assertThat(service.get("Install").get("WantedBy")).containsExactly("multi-user.target");
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (Files.isExecutable(analyze)) {
            Path units = Files.createDirectories(dir.resolve("worker-units"));
            TestSite.write(units.resolve("capsync-worker.service"), Files.readString(JOBS.resolve("capsync-worker.service"))
                    .replace("/opt/capsync/capsync worker", "/bin/true worker")
                    .replace("EnvironmentFile=/etc/capsync/worker.env", "EnvironmentFile=-/etc/capsync/worker.env"));
            Process verify = new ProcessBuilder(analyze.toString(), "verify", units.resolve("capsync-worker.service").toString())
                    .redirectErrorStream(true).start();
            String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(verify.waitFor()).as(output).isZero();
        }
    }

    @Test
    void theWorkersWindowsWiringStartsAtBootRunsWithoutTimeLimitAndCallsTheWorkerWrapper() throws Exception {
        Document task = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(JOBS.resolve("capsync-worker.task.xml").toFile());
        XPath xpath = XPathFactory.newInstance().newXPath();
        assertThat(text(xpath, task, "Triggers/BootTrigger/Enabled")).isEqualTo("true");
        assertThat(text(xpath, task, "Settings/ExecutionTimeLimit")).isEqualTo("PT0S");
        assertThat(text(xpath, task, "Settings/MultipleInstancesPolicy")).isEqualTo("IgnoreNew");
        assertThat(text(xpath, task, "Settings/RestartOnFailure/Count")).isNotEmpty();
        assertThat(text(xpath, task, "Actions/Exec/Command")).endsWith("\\jobs\\run-capsync-worker.cmd");

        String text = Files.readString(JOBS.resolve("run-capsync-worker.cmd"));
        assertThat(text.replace("\r\n", "")).doesNotContain("\n");
        List<String> lines = text.lines().toList();
        assertThat(lines).contains("call \"%~dp0..\\capsync.cmd\" worker %CAPSYNC_WORKER_REGIONS% %*");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("exit /b %ERRORLEVEL%");
    }

    /** jobs/run-client-lkp.sh as installed: in APP/jobs, beside a launcher APP/capsync (here: the classes under test). */
    private Path installedCopy() throws IOException {
        Path app = Files.createDirectories(dir.resolve("app"));
        Files.createDirectories(app.resolve("jobs"));
        Files.copy(JOBS.resolve("run-client-lkp.sh"), app.resolve("jobs/run-client-lkp.sh"), StandardCopyOption.COPY_ATTRIBUTES);
        String launcher = "#!/bin/sh\nexec " + ClientSimulator.javaCommand().stream().map(SchedulerFilesTest::quoted)
                .collect(Collectors.joining(" ")) + " \"$@\"\n";
        TestSite.write(app.resolve("capsync"), launcher);
        app.resolve("capsync").toFile().setExecutable(true);
        return app;
    }

    private Cli.Result wrapper(Path app, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(app.resolve("jobs/run-client-lkp.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("wrapper.out").toFile()).redirectError(dir.resolve("wrapper.err").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("CAPSYNC_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the wrapper did not finish");
        }
        return new Cli.Result(process.exitValue(), Files.readString(dir.resolve("wrapper.out")), Files.readString(dir.resolve("wrapper.err")));
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static String text(XPath xpath, Document task, String path) throws Exception {
        StringBuilder expression = new StringBuilder("/*[local-name()='Task']");
        for (String step : path.split("/")) {
            expression.append("/*[local-name()='").append(step).append("']");
        }
        return ((String) xpath.evaluate(expression.toString(), task, XPathConstants.STRING)).strip();
    }

    /** A unit file's sections and keys; a key given twice keeps both values, as systemd list settings do. */
    private static Map<String, Map<String, List<String>>> unit(Path file) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                current = sections.computeIfAbsent(trimmed.substring(1, trimmed.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            assertThat(current).as("key outside a section: " + line).isNotNull();
            int eq = trimmed.indexOf('=');
            assertThat(eq).as("not a key=value line: " + line).isPositive();
            current.computeIfAbsent(trimmed.substring(0, eq).strip(), k -> new ArrayList<>()).add(trimmed.substring(eq + 1).strip());
        }
        return sections;
    }

    private static List<String> words(List<String> values) {
        return values.stream().flatMap(v -> List.of(v.split("\\s+")).stream()).toList();
    }

    /** systemd's own check, where systemd-analyze exists (it is no service the tests need, so no CI failure without). */
    private void verifiedBySystemdWhereAvailable() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            return;
        }
        Path units = Files.createDirectories(dir.resolve("units"));
        // The ExecStart path exists only once installed; verify the rest with a command that exists.
        TestSite.write(units.resolve("capsync-client-lkp.service"), Files.readString(JOBS.resolve("capsync-client-lkp.service"))
                .replace("/opt/capsync/jobs/run-client-lkp.sh", "/bin/true"));
        Files.copy(JOBS.resolve("capsync-client-lkp.timer"), units.resolve("capsync-client-lkp.timer"));
        Process verify = new ProcessBuilder(analyze.toString(), "verify", units.resolve("capsync-client-lkp.timer").toString(),
                units.resolve("capsync-client-lkp.service").toString()).redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor()).as(output).isZero();
        assertThat(output).isEmpty();
    }
}

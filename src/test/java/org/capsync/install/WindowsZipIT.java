package org.capsync.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.junit.jupiter.api.Test;

/**
 * The Windows zip, read rather than run (no Windows here): the layout, bin\capsync.cmd passing the POSIX launcher's JVM
 * options and using the start-up archive without Maven, quoting every path (C:\Program Files), and the Task Scheduler
 * task and wrapper pointing at the installed layout.
 */
class WindowsZipIT {

    @Test
    void theLauncherPassesThePosixLaunchersJvmOptionsAndQuotesEveryPath() throws Exception {
        Map<String, String> zip = texts(Release.built());
        String cmd = zip.get("bin/capsync.cmd");
        String posix = zip.get("bin/capsync");
        assertThat(cmd).as("bin/capsync.cmd in the zip").isNotNull();
        assertThat(cmd.replace("\r\n", "")).as("CRLF line ends: cmd misreads labels in LF files").doesNotContain("\n");
        assertThat(cmd).doesNotContainIgnoringCase("mvn");

        // Every -X/-D option of the POSIX launcher, by its name.
        String posixCode = posix.lines().filter(l -> !l.stripLeading().startsWith("#")).collect(java.util.stream.Collectors.joining("\n"));
        Matcher option = Pattern.compile("(-XX:[+]?\\w+|-Xlog:[\\w=:]+|-Xshare:\\w+|-D[\\w.]+)").matcher(posixCode);
        List<String> options = new ArrayList<>();
        while (option.find()) {
            options.add(option.group(1));
        }
        assertThat(options).contains("-XX:TieredStopAtLevel", "-Djfr.unsupported.vm", "-XX:+UseSerialGC", "-XX:SharedArchiveFile",
                "-XX:DumpLoadedClassList", "-Xshare:dump", "-Dcapsync.app.home");
        for (String o : options) {
            assertThat(cmd).as("bin/capsync.cmd passes %s as bin/capsync does", o).contains(o);
        }
        assertThat(cmd).contains("FlightRecord").as("the JFR switch is left out when a recording is asked for");
        assertThat(cmd).contains("%CAPSYNC_HOME%\\cache", "%LOCALAPPDATA%\\capsync").doesNotContain("%APP%\\cache");

        List<String> lines = cmd.lines().toList();
        for (String line : lines) {
            String code = line.stripLeading();
            if (code.regionMatches(true, 0, "rem", 0, 3)) {
                continue;
            }
            assertThat(code).as("no parenthesised blocks: a ')' in a path ends them").doesNotEndWith("(").doesNotStartWith("(");
            Matcher path = Pattern.compile("%(APP|JAR|WORK|CDS_DIR|JAVA|JAVA_HOME|CAPSYNC_HOME|LOCALAPPDATA|CAPSYNC_SOURCE_TREE)%").matcher(line);
            while (path.find()) {
                long quotesBefore = line.substring(0, path.start()).chars().filter(c -> c == '"').count();
                assertThat(quotesBefore % 2).as("%s quoted in: %s", path.group(), line).isEqualTo(1);
            }
        }
        Matcher jump = Pattern.compile("(?i)goto (\\w+)").matcher(cmd);
        while (jump.find()) {
            assertThat(lines).as("label of goto " + jump.group(1)).contains(":" + jump.group(1));
        }
        assertThat(lines.get(lines.size() - 1)).isEqualTo("exit /b %ERRORLEVEL%");
    }

    @Test
    void theTaskAndTheWrapperPointAtTheInstalledLayout() throws Exception {
        Release release = Release.built();
        Map<String, String> zip = texts(release);
        assertThat(zip).containsKeys("bin/capsync", "bin/capsync.cmd", "lib/capsync.jar", "jobs/client-lkp.yml",
                "jobs/client-lkp.caps.csv", "jobs/run-client-lkp.cmd", "jobs/client-lkp.task.xml", "README.md", "LICENSE");

        String wrapper = zip.get("jobs/run-client-lkp.cmd");
        assertThat(wrapper.replace("\r\n", "")).doesNotContain("\n");
        assertThat(wrapper.lines()).contains("if exist \"%~dp0..\\bin\\capsync.cmd\" set \"LAUNCHER=%~dp0..\\bin\\capsync.cmd\"",
                "call \"%LAUNCHER%\" run \"%CAPSYNC_JOB_FILE%\" %*");

        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document task = factory.newDocumentBuilder().parse(new ByteArrayInputStream(zip.get("jobs/client-lkp.task.xml").getBytes(StandardCharsets.US_ASCII)));
        Element exec = (Element) task.getElementsByTagNameNS("http://schemas.microsoft.com/windows/2004/02/mit/task", "Exec").item(0);
        String command = exec.getElementsByTagNameNS("*", "Command").item(0).getTextContent();
        String workingDirectory = exec.getElementsByTagNameNS("*", "WorkingDirectory").item(0).getTextContent();
        assertThat(command).as("a path with a space, quoted").contains(" ").startsWith("\"").endsWith("\\jobs\\run-client-lkp.cmd\"");
        assertThat(workingDirectory).as("Task Scheduler takes it unquoted").doesNotContain("\"");
        assertThat(command).isEqualTo("\"" + workingDirectory + "\\jobs\\run-client-lkp.cmd\"");
    }

    /** The zip's files by their path below the top folder capsync-VERSION/ (which every entry must be in). */
    private static Map<String, String> texts(Release release) throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        String top = "capsync-" + release.version() + "/";
        try (ZipFile zip = new ZipFile(release.zip().toFile())) {
            for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
                assertThat(entry.getName()).startsWith(top);
                if (!entry.isDirectory()) {
                    String name = entry.getName().substring(top.length());
                    files.put(name, name.endsWith(".jar") ? "" : new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }
}

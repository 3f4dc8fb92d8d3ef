package org.capsync.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.Chromium;
import org.capsync.support.Cli;
import org.capsync.support.Repository;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code capsync report} on a repository filled by real runs, rendered in headless Chromium: the grid's cells and their
 * rendered colours, the stale CAP on top with its "stale since", the chart, the details of a cell, and a screenshot.
 * <pre>
 *            e1        e2       e3         e4 (killed)   e5 (restart of e4)
 * CAP_001    copied    copied   unchanged  unfinished    copied
 * CAP_002    skipped   copied   unchanged  copied        not run
 * CAP_003    failed    failed   failed     failed        not run      (its folder is missing: stale since e1)
 * CAP_004    copied    copied   unchanged  copied        not run
 * </pre>
 */
class RunReportTest {

    @TempDir
    Path dir;

    private TestSite site;
    private final List<Long> executions = new ArrayList<>();

    @BeforeEach
    void fiveExecutionsOfRealRuns() throws Exception {
        site = TestSite.withCaps(dir.resolve("site"), 4);
        Files.write(site.capFile("CAP_002"), new byte[] {1});
        Files.delete(site.capFile("CAP_003").getParent());
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(2))) {
            run(3);
        }
        site.source("client.lkp", TestSite.bytes(16 * 1024, 2));
        run(3);
        run(3);
        site.source("client.lkp", TestSite.bytes(16 * 1024, 3));
        site.retry("{ attempts: 30, delay: 1s, multiplier: 1 }");
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_001"), Duration.ofMinutes(2));
             CapsyncProcess killed = CapsyncProcess.run(site, "run", "job.yml")) {
            killed.awaitOnlyRetriesLeft(site.home());
            killed.killOnceWritten();
        }
        executions.add((Long) Repository.query(site.home(), "SELECT MAX(JOB_EXECUTION_ID) AS ID FROM BATCH_JOB_EXECUTION").get(0).get("ID"));
        run(3);
    }

    private void run(int expectedExit) {
        Cli.Result result = Cli.run(site, "run", "job.yml");
        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(expectedExit);
        Matcher m = Pattern.compile("\\(execution (\\d+), ").matcher(result.lastLine());
        assertThat(m.find()).isTrue();
        executions.add(Long.parseLong(m.group(1)));
    }

    @Test
    void theGridShowsEveryCapByExecutionColouredByOutcomeWithTheStaleCapOnTop() throws Exception {
        Chromium chromium = Chromium.require(dir);
        Path page = report();

        Probe probe = Probe.of(chromium.dumpDom(withProbe(page), null));

        long e1 = executions.get(0);
        assertThat(probe.rows).as("stale first, then by name").containsExactly("CAP_003", "CAP_001", "CAP_002", "CAP_004");
        assertThat(probe.rowClass.get("CAP_003")).contains("stale");
        assertThat(probe.since.get("CAP_003")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\(4 runs\\)");
        assertThat(probe.rowClass.get("CAP_002")).contains("current");
        assertThat(probe.since.get("CAP_002")).isEmpty();

        assertOutcomes(probe, "CAP_001", "copied", "copied", "unchanged", "unfinished", "copied");
        assertOutcomes(probe, "CAP_002", "skipped", "copied", "unchanged", "copied", "not run");
        assertOutcomes(probe, "CAP_003", "failed", "failed", "failed", "failed", "not run");
        assertOutcomes(probe, "CAP_004", "copied", "copied", "unchanged", "copied", "not run");

        assertThat(probe.titles.get("CAP_002@" + e1)).contains("CAP_002, execution " + e1, "client.lkp: skipped after 3 attempts: in use")
                .containsPattern("\n  1\\. \\d\\d:\\d\\d:\\d\\d in use .*\n  2\\. .*\n  3\\. ");
        assertThat(probe.titles.get("CAP_003@" + e1)).contains("failed after 1 attempt: ").contains("clidata.box");
        assertThat(probe.titles.get("CAP_001@" + executions.get(3))).contains("unfinished").contains("in use");
        assertThat(probe.titles.get("CAP_002@" + executions.get(4))).contains("not run", "done by execution " + executions.get(3) + " of the same run (client.lkp copied)");

        assertThat(probe.bars).as("one bar per execution, oldest first").containsOnlyKeys(executions.stream().map(String::valueOf).toList());
        assertThat(probe.bars.get(String.valueOf(e1))).containsExactly("o-copied", "o-skipped", "o-failed");
        assertThat(probe.bars.get(String.valueOf(executions.get(2)))).containsExactly("o-unchanged", "o-failed");
        assertThat(probe.bars.get(String.valueOf(executions.get(4)))).containsExactly("o-copied");
        assertThat(probe.detail).isEqualTo("hidden");
    }

    @Test
    void aLinkToACellOpensItsAttemptsAndTheScreenshotShowsTheColours() throws Exception {
        Chromium chromium = Chromium.require(dir);
        Path page = report();
        long e1 = executions.get(0);

        Probe probe = Probe.of(chromium.dumpDom(withProbe(page), "CAP_002@" + e1));
        assertThat(probe.detail).startsWith("shown|CAP_002, execution " + e1).contains("skipped after 3 attempts");

        Path png = dir.resolve("report.png");
        chromium.screenshot(page, "CAP_002@" + e1, png, 1000, 800);
        Files.copy(png, Path.of("target", "report-test.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(800);
        // Four failed cells (26 x 18 px each) and the chart's bars; one skipped cell and its bar.
        assertThat(pixels(image, Outcome.FAILED.colour())).isGreaterThan(4 * 26 * 18);
        assertThat(pixels(image, Outcome.SKIPPED.colour())).isGreaterThan(26 * 18);
        assertThat(pixels(image, Outcome.COPIED.colour())).isGreaterThan(9 * 26 * 18);
        assertThat(pixels(image, Outcome.UNFINISHED.colour())).isGreaterThan(20 * 14);
    }

    @Test
    void thePageIsSelfContained() throws Exception {
        String html = Files.readString(report());

        assertThat(html).doesNotContainPattern("(?i)https?:|<link|<img|src=|@import|url\\(");
        assertThat(html).contains("<style>", "<script>", "<svg id=\"chart\"");
    }

    private Path report() {
        Path page = dir.resolve("report.html");
        Cli.Result result = Cli.run(site, "report", "client-lkp", "--runs", "10", "--html", page.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("client-lkp: report on 5 executions, 4 CAPs, 1 not current: " + page);
        return page;
    }

    private void assertOutcomes(Probe probe, String cap, String... outcomes) {
        for (int i = 0; i < outcomes.length; i++) {
            Outcome expected = Outcome.values()[java.util.Arrays.stream(Outcome.values()).map(Outcome::label).toList().indexOf(outcomes[i])];
            String key = cap + "@" + executions.get(i);
            assertThat(probe.outcomes.get(key)).as(key).isEqualTo(expected.label());
            assertThat(probe.colours.get(key)).as("rendered colour of " + key).isEqualTo(rgb(expected.colour()));
        }
    }

    /** A copy of the page with a script at its end that writes what the browser rendered into the DOM. */
    private Path withProbe(Path page) throws Exception {
        String probe = """
                <script>
                (function () {
                  var out = [];
                  document.querySelectorAll('#grid tbody tr').forEach(function (row) {
                    var cap = row.getAttribute('data-cap');
                    out.push(['row', cap, row.className, row.querySelector('td.since').textContent.trim()].join('|'));
                    row.querySelectorAll('td.c').forEach(function (td) {
                      out.push(['cell', cap + '@' + td.getAttribute('data-execution'), td.getAttribute('data-outcome'),
                                getComputedStyle(td).backgroundColor, td.title.replace(/\\n/g, '\\\\n')].join('|'));
                    });
                  });
                  document.querySelectorAll('#chart g.bar').forEach(function (g) {
                    var rects = Array.prototype.map.call(g.querySelectorAll('rect'), function (r) { return r.getAttribute('class'); });
                    out.push(['bar', g.getAttribute('data-execution'), rects.join(',')].join('|'));
                  });
                  var detail = document.getElementById('detail');
                  out.push('detail|' + (detail.hidden ? 'hidden' : 'shown|' + document.getElementById('detail-text').textContent.replace(/\\n/g, '\\\\n')));
                  var pre = document.createElement('pre');
                  pre.id = 'probe';
                  pre.textContent = out.join('\\n');
                  document.body.appendChild(pre);
                })();
                </script>
                """;
        Path probed = dir.resolve("probed.html");
        Files.writeString(probed, Files.readString(page).replace("</body>", probe + "</body>"));
        return probed;
    }

    /** What the probe script wrote, parsed. */
    private static final class Probe {
        final List<String> rows = new ArrayList<>();
        final Map<String, String> rowClass = new LinkedHashMap<>();
        final Map<String, String> since = new LinkedHashMap<>();
        final Map<String, String> outcomes = new LinkedHashMap<>();
        final Map<String, String> colours = new LinkedHashMap<>();
        final Map<String, String> titles = new LinkedHashMap<>();
        final Map<String, List<String>> bars = new LinkedHashMap<>();
        String detail;

        static Probe of(String dom) {
            Matcher m = Pattern.compile("<pre id=\"probe\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
            assertThat(m.find()).as("the probe ran:\n" + dom).isTrue();
            Probe probe = new Probe();
            for (String line : unescape(m.group(1)).split("\n")) {
                String[] f = line.split("\\|", -1);
                switch (f[0]) {
                    case "row" -> {
                        probe.rows.add(f[1]);
                        probe.rowClass.put(f[1], f[2]);
                        probe.since.put(f[1], f[3]);
                    }
                    case "cell" -> {
                        probe.outcomes.put(f[1], f[2]);
                        probe.colours.put(f[1], f[3]);
                        probe.titles.put(f[1], String.join("|", java.util.Arrays.copyOfRange(f, 4, f.length)).replace("\\n", "\n"));
                    }
                    case "bar" -> probe.bars.put(f[1], f[2].isEmpty() ? List.of() : List.of(f[2].split(",")));
                    case "detail" -> probe.detail = line.substring("detail|".length()).replace("\\n", "\n");
                    default -> throw new AssertionError("unexpected probe line " + line);
                }
            }
            return probe;
        }

        private static String unescape(String html) {
            return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
        }
    }

    private static String rgb(String hex) {
        int v = Integer.parseInt(hex.substring(1), 16);
        return "rgb(" + (v >> 16) + ", " + (v >> 8 & 0xff) + ", " + (v & 0xff) + ")";
    }

    /** Pixels within 3 of the colour in each channel. */
    private static int pixels(BufferedImage image, String hex) {
        int v = Integer.parseInt(hex.substring(1), 16);
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                if (Math.abs((p >> 16 & 0xff) - (v >> 16)) <= 3 && Math.abs((p >> 8 & 0xff) - (v >> 8 & 0xff)) <= 3
                        && Math.abs((p & 0xff) - (v & 0xff)) <= 3) {
                    count++;
                }
            }
        }
        return count;
    }
}

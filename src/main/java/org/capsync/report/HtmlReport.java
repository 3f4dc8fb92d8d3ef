package org.capsync.report;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.capsync.definition.Durations;
import org.capsync.history.PairOutcome.Attempt;
import org.capsync.report.RunReport.CapRow;
import org.capsync.report.RunReport.Cell;
import org.capsync.report.RunReport.FileCell;
import org.capsync.report.RunReport.Run;
import org.capsync.report.RunReport.Stale;

/**
 * The run report as one self-contained HTML page: inline CSS, a few lines of inline JavaScript and an inline SVG
 * chart; no fonts, scripts or images from anywhere, so it opens from a mail attachment or a share without a network.
 * Every text from the repository (CAP names, error messages) is escaped.
 */
public final class HtmlReport {

    /** Attempts listed per file in a cell's details; a CAP held all night may have hundreds. */
    private static final int MAX_ATTEMPTS_SHOWN = 12;

    private final ZoneId zone;
    private final DateTimeFormatter dateTime;
    private final DateTimeFormatter time;

    public HtmlReport(ZoneId zone) {
        this.zone = zone;
        this.dateTime = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(zone);
        this.time = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(zone);
    }

    public String render(RunReport report) {
        StringBuilder html = new StringBuilder(64 * 1024);
        long staleCaps = report.caps().stream().filter(CapRow::isStale).count();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>capsync report: ").append(esc(report.job())).append("</title>\n")
                .append("<style>\n").append(css()).append("</style>\n</head>\n<body>\n");
        html.append("<header><h1>capsync <span class=\"job\">").append(esc(report.job())).append("</span></h1>\n")
                .append("<p class=\"sub\">The last ").append(report.runs().size()).append(" executions, generated ")
                .append(esc(dateTime.format(report.generated()))).append(" (times in ").append(esc(zone.getId()))
                .append(") from the job repository. Hover over a cell for what happened; click it for every attempt.</p>\n</header>\n");

        html.append("<section class=\"cards\">\n");
        html.append("<div class=\"card ").append(staleCaps > 0 ? "bad" : "good").append("\" id=\"stale-count\"><b>")
                .append(staleCaps).append("</b> ").append(staleCaps == 1 ? "CAP is" : "CAPs are")
                .append(" not current now</div>\n");
        html.append("<div class=\"card\"><b>").append(report.caps().size()).append("</b> CAPs</div>\n");
        if (!report.runs().isEmpty()) {
            Run last = report.runs().get(report.runs().size() - 1);
            html.append("<div class=\"card\">last execution <b>").append(last.executionId()).append("</b> ")
                    .append(esc(last.status())).append(last.start() == null ? "" : ", " + esc(dateTime.format(last.start())))
                    .append("</div>\n");
        }
        html.append("</section>\n");

        html.append("<section><h2>Outcomes per execution</h2>\n").append(chart(report.runs())).append("</section>\n");
        html.append("<section><h2>CAPs &times; executions</h2>\n").append(legend())
                .append("<label class=\"filter\"><input type=\"checkbox\" id=\"problems-only\"> only CAPs with a problem</label>\n")
                .append("<div class=\"grid-wrap\">\n").append(grid(report)).append("</div>\n</section>\n");
        html.append("<aside id=\"detail\" hidden><button type=\"button\" id=\"detail-close\" title=\"close\">&times;</button>")
                .append("<pre id=\"detail-text\"></pre></aside>\n");
        html.append("<script>\n").append(script()).append("</script>\n</body>\n</html>\n");
        return html.toString();
    }

    private String grid(RunReport report) {
        StringBuilder t = new StringBuilder();
        t.append("<table id=\"grid\">\n<thead><tr><th class=\"cap\">CAP</th><th class=\"since\">stale since</th>");
        for (Run run : report.runs()) {
            t.append("<th class=\"run\" data-execution=\"").append(run.executionId()).append("\" title=\"")
                    .append(esc(runTitle(run))).append("\"><div>#").append(run.executionId()).append("</div><div class=\"when\">")
                    .append(run.start() == null ? "" : esc(dateTime.format(run.start()).substring(5)).replace(" ", "<br>"))
                    .append("</div><div class=\"st st-").append(esc(run.status().toLowerCase(Locale.ROOT).replace('_', '-')))
                    .append("\" title=\"").append(esc(run.status())).append("\"></div></th>");
        }
        t.append("</tr></thead>\n<tbody>\n");
        for (CapRow row : report.caps()) {
            boolean problem = row.isStale() || row.cells().stream().anyMatch(c -> c.outcome().ordinal() <= Outcome.UNFINISHED.ordinal());
            t.append("<tr data-cap=\"").append(esc(row.cap())).append("\" class=\"")
                    .append(row.isStale() ? "stale" : "current").append(problem ? " problem" : "").append("\">")
                    .append("<th class=\"cap\">").append(esc(row.cap())).append("</th><td class=\"since\"");
            if (row.isStale()) {
                t.append(" title=\"").append(esc(staleTitle(row))).append("\">")
                        .append(row.staleSince() == null ? "?" : esc(dateTime.format(row.staleSince())))
                        .append(" <small>(").append(missed(row)).append(")</small>");
            } else {
                t.append(">");
            }
            t.append("</td>");
            for (int i = 0; i < row.cells().size(); i++) {
                Cell cell = row.cells().get(i);
                Run run = report.runs().get(i);
                t.append("<td class=\"c ").append(cell.outcome().cssClass()).append("\" data-execution=\"")
                        .append(cell.executionId()).append("\" data-outcome=\"").append(cell.outcome().label())
                        .append("\" title=\"").append(esc(cellTitle(row.cap(), run, cell))).append("\"></td>");
            }
            t.append("</tr>\n");
        }
        return t.append("</tbody>\n</table>\n").toString();
    }

    private static String missed(CapRow row) {
        int runs = row.stale().stream().mapToInt(Stale::runsMissed).max().orElse(0);
        return runs + (runs == 1 ? " run" : " runs");
    }

    private String staleTitle(CapRow row) {
        StringBuilder s = new StringBuilder(row.cap()).append(" is not current:");
        for (Stale stale : row.stale()) {
            s.append("\n").append(stale.file()).append(": stale since execution ")
                    .append(stale.sinceExecution() == null ? "?" : stale.sinceExecution())
                    .append(stale.since() == null ? "" : " (" + dateTime.format(stale.since()) + ")")
                    .append(", ").append(stale.runsMissed()).append(stale.runsMissed() == 1 ? " run" : " runs")
                    .append(" without success").append(stale.lastError() == null ? "" : "; last: " + stale.lastError());
        }
        return s.toString();
    }

    private String runTitle(Run run) {
        StringBuilder s = new StringBuilder("execution ").append(run.executionId()).append(", ").append(run.status());
        s.append(run.restartOf() == null ? ", new run" : ", restart of execution " + run.restartOf());
        if (!run.workers().isEmpty()) {
            s.append("\n").append(run.workers().size() == 1 ? "by " : "by workers ").append(String.join(", ", run.workers()));
        }
        if (run.start() != null) {
            s.append("\n").append(dateTime.format(run.start()));
            if (run.end() != null) {
                s.append(" to ").append(time.format(run.end())).append(" (")
                        .append(Durations.format(Duration.between(run.start(), run.end()))).append(")");
            }
        }
        s.append("\n").append(run.count(Outcome.COPIED)).append(" copied, ").append(run.count(Outcome.UNCHANGED))
                .append(" unchanged, ").append(run.count(Outcome.SKIPPED)).append(" skipped, ")
                .append(run.count(Outcome.FAILED)).append(" failed");
        if (run.count(Outcome.UNFINISHED) > 0) {
            s.append(", ").append(run.count(Outcome.UNFINISHED)).append(" unfinished");
        }
        return s.toString();
    }

    private String cellTitle(String cap, Run run, Cell cell) {
        StringBuilder s = new StringBuilder(cap).append(", execution ").append(run.executionId());
        if (run.start() != null) {
            s.append(" (").append(dateTime.format(run.start())).append(")");
        }
        s.append(": ").append(cell.outcome().label());
        if (cell.note() != null) {
            s.append("\n").append(cell.note());
        }
        for (FileCell file : cell.files()) {
            s.append("\n").append(file.file()).append(": ").append(file.outcome().label());
            if (!file.attempts().isEmpty()) {
                s.append(" after ").append(file.attempts().size()).append(file.attempts().size() == 1 ? " attempt" : " attempts");
            }
            if (file.reason() != null && file.outcome() != Outcome.COPIED && file.outcome() != Outcome.UNCHANGED) {
                s.append(": ").append(file.reason());
            }
            List<Attempt> attempts = file.attempts();
            int from = Math.max(0, attempts.size() - MAX_ATTEMPTS_SHOWN);
            if (from > 0) {
                s.append("\n  ... ").append(from).append(" earlier attempts");
            }
            for (Attempt a : attempts.subList(from, attempts.size())) {
                s.append("\n  ").append(a.attempt()).append(". ")
                        .append(a.time() == null ? "" : time.format(a.time())).append(" ")
                        .append(a.reason() == null ? a.result().toLowerCase(Locale.ROOT).replace('_', ' ') : a.reason())
                        .append(" (").append(Durations.format(Duration.ofMillis(a.durationMs()))).append(")");
            }
        }
        return s.toString();
    }

    /** Stacked bars, one per execution, oldest left: copied, unchanged, skipped, failed, unfinished. */
    private static String chart(List<Run> runs) {
        List<Outcome> stacked = List.of(Outcome.COPIED, Outcome.UNCHANGED, Outcome.SKIPPED, Outcome.FAILED, Outcome.UNFINISHED);
        int max = Math.max(1, runs.stream().mapToInt(r -> stacked.stream().mapToInt(r::count).sum()).max().orElse(1));
        int step = runs.isEmpty() ? 20 : Math.max(12, Math.min(40, 760 / runs.size()));
        int barWidth = Math.max(8, step - 6);
        int height = 140;
        int left = 44;
        int width = left + step * Math.max(1, runs.size()) + 10;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg id=\"chart\" width=\"").append(width)
                .append("\" height=\"").append(height + 34).append("\" role=\"img\" aria-label=\"outcomes per execution\">\n")
                .append("<line x1=\"").append(left - 4).append("\" y1=\"10\" x2=\"").append(left - 4).append("\" y2=\"")
                .append(height + 10).append("\" class=\"axis\"/>\n")
                .append("<text x=\"").append(left - 8).append("\" y=\"16\" class=\"tick\" text-anchor=\"end\">").append(max).append("</text>\n")
                .append("<text x=\"").append(left - 8).append("\" y=\"").append(height + 10).append("\" class=\"tick\" text-anchor=\"end\">0</text>\n");
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            int x = left + i * step;
            double y = height + 10;
            svg.append("<g class=\"bar\" data-execution=\"").append(run.executionId()).append("\"><title>execution ")
                    .append(run.executionId()).append(": ");
            StringBuilder title = new StringBuilder();
            for (Outcome o : stacked) {
                if (o != Outcome.UNFINISHED || run.count(o) > 0) {
                    title.append(title.isEmpty() ? "" : ", ").append(run.count(o)).append(" ").append(o.label());
                }
            }
            svg.append(esc(title.toString())).append("</title>");
            for (Outcome o : stacked) {
                double h = (double) run.count(o) * height / max;
                if (h <= 0) {
                    continue;
                }
                y -= h;
                svg.append("<rect x=\"").append(x).append("\" y=\"").append(String.format(Locale.ROOT, "%.1f", y))
                        .append("\" width=\"").append(barWidth).append("\" height=\"").append(String.format(Locale.ROOT, "%.1f", h))
                        .append("\" fill=\"").append(o.colour()).append("\" class=\"").append(o.cssClass()).append("\"/>");
            }
            svg.append("<text x=\"").append(x + barWidth / 2).append("\" y=\"").append(height + 26)
                    .append("\" class=\"tick\" text-anchor=\"middle\">").append(run.executionId()).append("</text></g>\n");
        }
        return svg.append("</svg>\n").toString();
    }

    private static String legend() {
        StringBuilder l = new StringBuilder("<ul class=\"legend\">");
        for (Outcome o : List.of(Outcome.COPIED, Outcome.UNCHANGED, Outcome.SKIPPED, Outcome.FAILED, Outcome.UNFINISHED,
                Outcome.NOT_RUN)) {
            l.append("<li title=\"").append(esc(o.meaning())).append("\"><span class=\"swatch ").append(o.cssClass())
                    .append("\"></span>").append(o.label()).append("</li>");
        }
        return l.append("</ul>\n").toString();
    }

    private static String css() {
        StringBuilder css = new StringBuilder("""
                body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 24px; color: #212529; background: #fff; }
                h1 { font-size: 22px; margin: 0; } h1 .job { color: #1864ab; }
                h2 { font-size: 16px; margin: 24px 0 8px; }
                .sub { color: #495057; margin: 4px 0 16px; }
                .cards { display: flex; gap: 12px; flex-wrap: wrap; }
                .card { border: 1px solid #dee2e6; border-radius: 6px; padding: 8px 14px; background: #f8f9fa; }
                .card.bad { border-color: #f08c00; background: #fff4e6; } .card.good { border-color: #2f9e44; background: #ebfbee; }
                svg .axis { stroke: #adb5bd; } svg .tick { font-size: 10px; fill: #495057; }
                .legend { list-style: none; padding: 0; margin: 0 0 8px; display: flex; gap: 16px; flex-wrap: wrap; }
                .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; border: 1px solid rgba(0,0,0,.15); }
                .filter { font-size: 13px; color: #495057; }
                .grid-wrap { overflow: auto; max-width: 100%; margin-top: 8px; }
                #grid { border-collapse: separate; border-spacing: 2px; }
                #grid th { font-weight: normal; font-size: 11px; color: #495057; }
                #grid th.cap { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; color: #212529; padding-right: 8px; white-space: nowrap; }
                #grid th.run { width: 26px; vertical-align: bottom; line-height: 1.1; }
                #grid th.run .when { font-size: 9px; color: #868e96; white-space: nowrap; }
                #grid td.since { font-size: 11px; white-space: nowrap; color: #c92a2a; padding-right: 8px; }
                #grid tr.stale th.cap { color: #c92a2a; font-weight: bold; }
                #grid td.c { width: 26px; height: 18px; border-radius: 3px; cursor: pointer; }
                #grid td.c:hover, #grid td.c.sel { outline: 2px solid #212529; }
                #grid.problems-only tr:not(.problem) { display: none; }
                .st { height: 4px; border-radius: 2px; margin-top: 2px; background: #adb5bd; }
                .st-completed { background: #2f9e44; } .st-completed-with-skips { background: #f08c00; }
                .st-failed { background: #e03131; } .st-stopped, .st-started { background: #ffd43b; }
                #detail { position: fixed; right: 16px; bottom: 16px; max-width: min(720px, 90vw); max-height: 60vh; overflow: auto;
                          background: #fff; border: 1px solid #868e96; border-radius: 6px; box-shadow: 0 4px 16px rgba(0,0,0,.2); padding: 10px 14px; }
                #detail pre { margin: 0; white-space: pre-wrap; font: 12px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
                #detail-close { float: right; border: none; background: none; font-size: 18px; cursor: pointer; }
                """);
        for (Outcome o : Outcome.values()) {
            css.append(".").append(o.cssClass()).append(" { background: ").append(o.colour()).append("; }\n");
        }
        return css.toString();
    }

    private static String script() {
        return """
                (function () {
                  var grid = document.getElementById('grid');
                  var detail = document.getElementById('detail');
                  var text = document.getElementById('detail-text');
                  function show(cell) {
                    var selected = grid.querySelector('td.sel');
                    if (selected) { selected.classList.remove('sel'); }
                    cell.classList.add('sel');
                    text.textContent = cell.getAttribute('title') || '';
                    detail.hidden = false;
                  }
                  grid.addEventListener('click', function (e) {
                    var cell = e.target.closest('td.c, td.since');
                    if (cell) { show(cell); }
                  });
                  // report.html#CAP_13@42 opens that CAP's cell of execution 42: a link to put in a mail.
                  var wanted = decodeURIComponent(location.hash.slice(1)).split('@');
                  if (wanted.length === 2) {
                    grid.querySelectorAll('tr[data-cap]').forEach(function (row) {
                      if (row.getAttribute('data-cap') !== wanted[0]) { return; }
                      var cell = row.querySelector('td.c[data-execution="' + wanted[1].replace(/[^0-9]/g, '') + '"]');
                      if (cell) { show(cell); }
                    });
                  }
                  document.getElementById('detail-close').addEventListener('click', function () { detail.hidden = true; });
                  document.getElementById('problems-only').addEventListener('change', function (e) {
                    grid.classList.toggle('problems-only', e.target.checked);
                  });
                })();
                """;
    }

    /** HTML-escapes text for element content and quoted attribute values alike. */
    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

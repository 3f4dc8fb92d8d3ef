package org.capsync.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.capsync.console.Listing;
import org.capsync.console.Listing.Column;
import org.capsync.history.Execution;
import org.capsync.history.PairOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code capsync show EXECUTION_ID}: what one execution did at each (CAP, file) it handled. */
@Command(name = "show", description = "Show what one execution did at each (CAP, file) it handled; --attempts lists every attempt.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync show 42                 what execution 42 did at each CAP",
            "  capsync show 42 --attempts      with every attempt, its time and reason"})
class ShowCommand extends ListingSubcommand {

    @Parameters(paramLabel = "EXECUTION_ID", description = "an execution id, as history and the run's summary line give it")
    long executionId;

    @Option(names = "--attempts", description = "every attempt with its time, result and reason")
    boolean attempts;

    ShowCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() {
        Listing.Format format = output.format();
        record Shown(Execution execution, List<PairOutcome> pairs) {
        }
        Shown shown = HistoryAccess.read(environment, queries -> queries.execution(executionId)
                        .map(e -> new Shown(e, queries.handledBy(executionId, attempts))))
                .flatMap(found -> found)
                .orElseThrow(() -> new UsageException("no execution " + executionId
                        + " in the job repository (capsync history lists them)"));
        Execution execution = shown.execution();
        List<PairOutcome> pairs = shown.pairs();
        var out = environment.out();
        if (format == Listing.Format.TABLE) {
            out.println(heading(execution));
            if (pairs.isEmpty()) {
                out.println("(this execution handled no (CAP, file): " + (execution.restartOf() != null
                        ? "its predecessor had finished them" : "it ended before copying") + ")");
                out.flush();
                return 0;
            }
            pairs(pairs, false).write(format, out);
            if (attempts) {
                out.println();
                attemptRows(pairs).write(format, out);
            }
        } else if (format == Listing.Format.CSV && attempts) {
            attemptRows(pairs).write(format, out);
        } else {
            pairs(pairs, attempts).write(format, out);
        }
        return 0;
    }

    private static String heading(Execution e) {
        return "execution " + e.executionId() + " of " + e.job() + ": " + e.status()
                + ", started " + Listing.text(e.start()) + (e.end() == null ? "" : ", ended " + Listing.text(e.end()))
                + ", " + e.copied() + " copied, " + e.unchanged() + " unchanged, " + e.skipped() + " skipped, "
                + e.failed() + " failed" + (e.remaining() > 0 ? ", " + e.remaining() + " to do" : "")
                + (e.restartOf() == null ? "" : " (restart of execution " + e.restartOf() + ")");
    }

    private static Listing pairs(List<PairOutcome> pairs, boolean withLog) {
        List<Column> columns = new ArrayList<>(List.of(
                Column.left("cap", "CAP"),
                Column.left("file", "FILE"),
                Column.left("status", "STATUS"),
                Column.right("attempts", "ATTEMPTS"),
                Column.right("bytes", "BYTES"),
                Column.dataOnly("sha256"),
                Column.millis("durationMs", "TOOK"),
                Column.dataOnly("start"),
                Column.dataOnly("end"),
                Column.left("error", "ERROR"),
                Column.dataOnly("worker")));
        if (withLog) {
            columns.add(Column.nestedList("attemptLog"));
        }
        Listing report = new Listing(columns);
        for (PairOutcome p : pairs) {
            List<Object> values = new ArrayList<>(List.of(p.cap(), p.file(), p.status(), p.attempts()));
            values.add(p.bytes());
            values.add(p.sha256());
            values.add(p.durationMs());
            values.add(p.start());
            values.add(p.end());
            values.add(p.error());
            values.add(p.worker());
            if (withLog) {
                List<Map<String, Object>> log = new ArrayList<>();
                for (PairOutcome.Attempt a : p.attemptLog()) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("attempt", a.attempt());
                    entry.put("time", a.time());
                    entry.put("durationMs", a.durationMs());
                    entry.put("result", a.result());
                    entry.put("reason", a.reason());
                    log.add(entry);
                }
                values.add(log);
            }
            report.row(values.toArray());
        }
        return report;
    }

    /** One row per attempt: the table under --attempts, and the CSV (which cannot nest). */
    private static Listing attemptRows(List<PairOutcome> pairs) {
        Listing report = new Listing(List.of(
                Column.left("cap", "CAP"),
                Column.left("file", "FILE"),
                Column.left("status", "STATUS"),
                Column.right("attempt", "ATTEMPT"),
                Column.left("time", "TIME"),
                Column.millis("durationMs", "TOOK"),
                Column.left("result", "RESULT"),
                Column.left("reason", "REASON")));
        for (PairOutcome p : pairs) {
            for (PairOutcome.Attempt a : p.attemptLog()) {
                Instant time = a.time();
                report.row(p.cap(), p.file(), p.status(), a.attempt(), time, a.durationMs(), a.result(), a.reason());
            }
        }
        return report;
    }
}

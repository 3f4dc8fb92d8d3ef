package org.capsync.cli;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.capsync.console.Listing;
import org.capsync.console.Listing.Column;
import org.capsync.history.Execution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code capsync history [JOB]}: one row per execution, newest first. Works while a run is going. */
@Command(name = "history", description = "List job executions, newest first: status, counts, and which execution each restarted.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync history                          the last 20 executions of every job",
            "  capsync history client-lkp --since 7d    this week's runs of one job",
            "  capsync history client-lkp --json        for scripts (also --csv)"})
class HistoryCommand extends ListingSubcommand {

    @Parameters(arity = "0..1", paramLabel = "JOB", description = "only this job (a name, or a job file); all jobs when omitted")
    String job;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most N executions (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--since", paramLabel = "DATE", description = "only executions started since DATE (2026-11-01, 2026-11-01T08:00) or an age (7d, 12h)")
    String since;

    HistoryCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() {
        Listing.Format format = output.format();
        if (limit < 1 || limit > 1_000_000) {
            throw new UsageException("--limit must be from 1 to 1000000, not " + limit);
        }
        Instant from = since == null ? null : TimeArguments.since("--since", since, Clock.systemDefaultZone());
        String name = job == null ? null : JobFiles.jobName(job, environment);
        List<Execution> executions = name == null
                ? HistoryAccess.read(environment, queries -> queries.executions(null, from, limit)).orElse(List.of())
                : HistoryAccess.readJob(environment, name, queries -> queries.executions(name, from, limit));
        report(executions, format == Listing.Format.TABLE).write(format, environment.out());
        if (format == Listing.Format.TABLE && executions.isEmpty()) {
            environment.out().println("(no executions" + (name == null ? "" : " of " + name) + (from == null ? "" : " since " + Listing.text(from)) + ")");
        }
        return 0;
    }

    static Listing report(List<Execution> executions, boolean forTable) {
        Instant now = Instant.now();
        boolean unfinished = executions.stream().anyMatch(e -> e.remaining() > 0);
        List<Column> columns = new ArrayList<>(List.of(
                Column.right("executionId", "EXECUTION"),
                Column.left("job", "JOB"),
                Column.dataOnly("instanceId"),
                Column.left("status", "STATUS"),
                Column.left("start", "START"),
                Column.left("end", "END"),
                Column.millis("durationMs", "DURATION"),
                Column.right("copied", "COPIED"),
                Column.right("unchanged", "UNCHANGED"),
                Column.right("skipped", "SKIPPED"),
                Column.right("failed", "FAILED"),
                unfinished || !forTable ? Column.right("remaining", "TO DO") : Column.dataOnly("remaining"),
                Column.right("restartOf", "RESTART OF"),
                Column.dataOnly("exitMessage"),
                // In the table only when some execution ran on several workers; a local run's is its own process.
                executions.stream().anyMatch(e -> e.workers().size() > 1) && forTable
                        ? Column.left("workers", "WORKERS") : Column.dataOnly("workers")));
        Listing report = new Listing(columns);
        for (Execution e : executions) {
            var duration = e.duration(now);
            report.row(e.executionId(), e.job(), e.instanceId(), e.status(), e.start(), e.end(),
                    duration == null ? null : duration.toMillis(), e.copied(), e.unchanged(), e.skipped(), e.failed(),
                    e.remaining(), e.restartOf(), e.exitMessage(), String.join(" ", e.workers()));
        }
        return report;
    }
}

package org.capsync.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.capsync.console.Listing;
import org.capsync.console.Listing.Column;
import org.capsync.history.Purge;
import org.capsync.repository.RepositoryConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code capsync purge --older-than 90d}: removes old runs and everything recorded about them, in one transaction.
 * Never a job's latest run, never a run still going, never part of a run that a kept execution belongs to.
 */
@Command(name = "purge", description = "Remove runs that ended before the given age, with their outcomes and attempts (never a job's latest run or a running one).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync purge --older-than 90d --dry-run   what would go",
            "  capsync purge --older-than 90d             remove it"})
class PurgeCommand extends ListingSubcommand {

    @Option(names = "--older-than", required = true, paramLabel = "AGE", description = "remove runs that ended more than AGE ago (90d, 12h, 2w)")
    String olderThan;

    @Option(names = "--dry-run", description = "only say what would be removed")
    boolean dryRun;

    PurgeCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() {
        Listing.Format format = output.format();
        Duration age = TimeArguments.age("--older-than", olderThan);
        Instant before = Instant.now().minus(age);
        Optional<RepositoryConnection> opened = RepositoryConnection.openForWriting(environment.home());
        Purge.Result result;
        if (opened.isEmpty()) {
            result = new Purge.Result(before, 0, 0, 0, 0, 0, List.of());
        } else {
            try (RepositoryConnection database = opened.get()) {
                result = new Purge(database, environment.home()).olderThan(before, dryRun);
            }
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("olderThan", olderThan.trim());
        fields.put("before", result.before());
        fields.put("dryRun", dryRun);
        fields.put("runs", result.runs());
        fields.put("executions", result.executions());
        fields.put("outcomes", result.outcomes());
        fields.put("attempts", result.attempts());
        fields.put("keptExecutions", result.keptExecutions());
        switch (format) {
            case JSON -> Listing.writeJsonObject(fields, environment.out());
            case CSV -> {
                Listing report = new Listing(fields.keySet().stream().map(k -> Column.left(k, k)).toList());
                report.row(fields.values().toArray());
                report.write(format, environment.out());
            }
            default -> {
                environment.out().println((dryRun ? "would remove " : "removed ") + result.executions() + " executions of "
                        + result.runs() + " runs that ended before " + Listing.text(result.before()) + " (older than "
                        + olderThan.trim() + "): " + result.outcomes() + " (CAP, file) outcomes, " + result.attempts()
                        + " attempts; " + result.keptExecutions() + " executions kept");
                environment.out().flush();
            }
        }
        return 0;
    }
}

package org.capsync.cli;

import java.util.List;

import org.capsync.console.Listing;
import org.capsync.console.Listing.Column;
import org.capsync.history.CapState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code capsync caps JOB}: each CAP's state now, as recorded: last attempt, last success, the hash it holds, and since
 * when and for how many runs it has been behind the source. The CAPs are those of the job's latest run.
 */
@Command(name = "caps", description = "Show each CAP's state now: last attempt, last success, hash held, stale since, runs missed.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync caps client-lkp             every CAP: current or stale since when",
            "  capsync caps client-lkp --stale     only the CAPs that are not current"})
class CapsCommand extends ListingSubcommand {

    @Parameters(paramLabel = "JOB", description = "a job name or job file")
    String job;

    @Option(names = "--stale", description = "only the CAPs that are not current")
    boolean staleOnly;

    CapsCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() {
        Listing.Format format = output.format();
        String name = JobFiles.jobName(job, environment);
        List<CapState> caps = HistoryAccess.readJob(environment, name, queries -> queries.caps(name));
        long stale = caps.stream().filter(c -> !c.current()).count();
        List<CapState> shown = staleOnly ? caps.stream().filter(c -> !c.current()).toList() : caps;
        Listing report = new Listing(List.of(
                Column.left("cap", "CAP"),
                Column.left("file", "FILE"),
                Column.dataOnly("path"),
                Column.left("current", "CURRENT"),
                Column.left("status", "LAST OUTCOME"),
                Column.left("lastAttempt", "LAST ATTEMPT"),
                Column.left("lastSuccess", "LAST SUCCESS"),
                new Column("sha256", "HOLDS SHA-256", false, false, v -> v == null ? "-" : v.toString().substring(0, 12)),
                Column.dataOnly("sourceSha256"),
                Column.left("staleSince", "STALE SINCE"),
                Column.right("staleSinceExecution", "EXECUTION"),
                Column.right("runsMissed", "MISSED"),
                Column.left("error", "ERROR")));
        for (CapState c : shown) {
            report.row(c.cap(), c.file(), c.path(), c.current(), c.status(), c.lastAttempt(), c.lastSuccess(), c.sha256(),
                    c.sourceSha256(), c.staleSince(), c.staleSinceExecution(), c.runsMissed(), c.error());
        }
        report.write(format, environment.out());
        if (format == Listing.Format.TABLE) {
            environment.out().println(caps.isEmpty()
                    ? "(no run of " + name + " has planned any CAP yet)"
                    : name + ": " + (caps.size() - stale) + " of " + caps.size() + " (CAP, file) current, " + stale + " stale");
            environment.out().flush();
        }
        return 0;
    }
}

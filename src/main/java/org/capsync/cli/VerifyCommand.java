package org.capsync.cli;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.capsync.console.Listing;
import org.capsync.console.Listing.Column;
import org.capsync.copy.CapAudit;
import org.capsync.copy.CapAudit.TargetCheck;
import org.capsync.copy.CapAudit.Verdict;
import org.capsync.copy.smb.CapTransports;
import org.capsync.copy.smb.SmbCredentials;
import org.capsync.copy.smb.SmbSessions;
import org.capsync.definition.CapList;
import org.capsync.definition.CapListParser;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.JobFileParser;
import org.capsync.run.RunSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code capsync verify JOB}: does every CAP hold the source's bytes right now? Reads each CAP's copy and compares
 * size and SHA-256 with the source; writes nothing and records nothing (the repository is not even opened).
 */
@Command(name = "verify", description = "Audit every CAP against the current source without writing: CURRENT, DIFFERS, MISSING, UNREACHABLE or UNREADABLE (clients may not read it). Exit 0 if all current, else 3.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync verify client-lkp       every CAP against the source; writes nothing"})
class VerifyCommand extends ListingSubcommand {

    @Parameters(paramLabel = "JOB", description = "a job file (jobs/client-lkp.yml) or a job name (client-lkp = jobs/client-lkp.yml)")
    String job;

    VerifyCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws Exception {
        Listing.Format format = output.format();
        JobDefinition definition = new JobFileParser().parse(JobFiles.locate(job, environment));
        CapList caps = new CapListParser().parse(definition.caps());
        List<TargetCheck> checks;
        try (SmbSessions smb = new SmbSessions(SmbCredentials.resolve(definition, environment.env()))) {
            checks = new CapAudit(CapTransports.forJob(smb)).audit(definition, caps);
        }
        Listing report = new Listing(List.of(
                Column.left("cap", "CAP"),
                Column.left("file", "FILE"),
                Column.left("status", "STATUS"),
                Column.right("bytes", "BYTES"),
                new Column("sha256", "SHA-256", false, false, v -> v == null ? "-" : v.toString().substring(0, 12)),
                Column.dataOnly("sourceSha256"),
                Column.left("path", "PATH"),
                Column.left("error", "ERROR")));
        Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
        for (TargetCheck c : checks) {
            counts.merge(c.status(), 1, Integer::sum);
            report.row(c.cap(), c.file(), c.status().name(), c.bytes(), c.sha256(), c.sourceSha256(), c.path(), c.error());
        }
        report.write(format, environment.out());
        if (format == Listing.Format.TABLE) {
            environment.out().println(definition.name() + ": " + counts.getOrDefault(Verdict.CURRENT, 0) + " current, "
                    + counts.getOrDefault(Verdict.DIFFERS, 0) + " differ, " + counts.getOrDefault(Verdict.MISSING, 0)
                    + " missing, " + counts.getOrDefault(Verdict.UNREACHABLE, 0) + " unreachable"
                    // Said only when there are any: the line's earlier form is what scripts match.
                    + (counts.containsKey(Verdict.UNREADABLE) ? ", " + counts.get(Verdict.UNREADABLE) + " unreadable" : "")
                    + " (nothing was written)");
            environment.out().flush();
        }
        boolean allCurrent = checks.stream().allMatch(c -> c.status() == Verdict.CURRENT);
        return allCurrent ? RunSummary.EXIT_OK : RunSummary.EXIT_NOT_CURRENT;
    }
}

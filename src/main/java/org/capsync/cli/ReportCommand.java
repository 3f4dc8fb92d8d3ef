package org.capsync.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;

import org.capsync.definition.FileSystemReason;
import org.capsync.ops.PublishedFile;
import org.capsync.report.HtmlReport;
import org.capsync.report.RunReport;
import org.capsync.report.RunReports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code capsync report JOB --html FILE}: the job's last runs as one self-contained HTML page. */
@Command(name = "report",
        description = {"Write an HTML page of the job's last runs, coloured by outcome per CAP.",
                "The CAPs stale now are on top; a chart counts each run's outcomes.",
                "One self-contained file: it opens without a network."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync report client-lkp --html report.html",
            "  capsync report client-lkp --runs 60 --html /srv/www/capsync/client-lkp.html",
            "",
            "Read-only, from the same queries as history, show and caps; works while the job",
            "runs. Exit 2 if the job has no recorded run."})
class ReportCommand extends Subcommand {

    @Parameters(paramLabel = "JOB", description = "a job name (client-lkp) or job file (jobs/client-lkp.yml)")
    String job;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "30", description = "the last N executions (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--html", paramLabel = "FILE", required = true, description = "the page to write (replaced if it exists)")
    Path html;

    ReportCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws IOException {
        if (runs < 1 || runs > 1000) {
            throw new UsageException("--runs must be from 1 to 1000, not " + runs);
        }
        String name = JobFiles.jobName(job, environment);
        Path target = environment.workingDir().resolve(html).toAbsolutePath().normalize();
        if (target.getParent() == null) {
            throw new UsageException("--html " + html + ": give the page's file name, such as " + target.resolve(name + "-report.html"));
        }
        if (!Files.isDirectory(target.getParent())) {
            throw new UsageException("cannot write " + target + ": no folder " + target.getParent());
        }
        if (Files.isDirectory(target)) {
            throw new UsageException("--html " + html + ": " + target + " is a folder; give the page's file name, such as "
                    + target.resolve(name + "-report.html"));
        }
        try {
            PublishedFile.refuseAnythingButAFile(target);
        } catch (PublishedFile.NotAFile e) {
            throw new UsageException("--html " + html + ": " + e.getMessage() + "; capsync replaces only a file there");
        }
        RunReport report = HistoryAccess.readJob(environment, name,
                queries -> new RunReports(queries, Clock.systemUTC()).report(name, runs),
                "no runs recorded in " + environment.home().root() + " yet: nothing to report on");
        write(target, new HtmlReport(ZoneId.systemDefault()).render(report));
        long stale = report.caps().stream().filter(RunReport.CapRow::isStale).count();
        environment.out().println(name + ": report on " + report.runs().size() + " executions, " + report.caps().size()
                + " CAPs, " + stale + " not current: " + target);
        return 0;
    }

    /**
     * As a {@link PublishedFile}, so a browser or a web server never reads half a page; with the usual permissions
     * (umask), unlike a temp file, so a web server can serve it. A page capsync may not write there is a bad --html
     * (exit 2), like a missing folder.
     */
    private void write(Path target, String page) {
        try {
            new PublishedFile().write(target, page.getBytes(StandardCharsets.UTF_8), null);
        } catch (PublishedFile.NotAFile e) {
            throw new UsageException("--html " + html + ": " + e.getMessage() + "; capsync replaces only a file there");
        } catch (AccessDeniedException e) {
            throw new UsageException("cannot write " + target + ": permission denied in " + target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + FileSystemReason.of(e, target), e);
        }
    }
}

package org.capsync.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import javax.sql.DataSource;

import org.capsync.console.ConsoleMode;
import org.capsync.console.LiveConsole;
import org.capsync.console.RunDisplay;
import org.capsync.console.Style;
import org.capsync.copy.smb.SmbCredentials;
import org.capsync.copy.smb.SmbSessions;
import org.capsync.definition.Cap;
import org.capsync.definition.CapList;
import org.capsync.definition.CapListParser;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.JobFileParser;
import org.capsync.definition.SmbLocation;
import org.capsync.definition.SourceFiles;
import org.capsync.history.HistoryQueries;
import org.capsync.history.ProgressProbe;
import org.capsync.logging.JobLogging;
import org.capsync.ops.RunReporting;
import org.capsync.repository.CapsyncHome;
import org.capsync.repository.JobSites;
import org.capsync.repository.RepositoryContext;
import org.capsync.repository.RepositoryGate;
import org.capsync.repository.RepositoryHandOver;
import org.capsync.run.DistributionJobConfiguration;
import org.capsync.run.GracefulStop;
import org.capsync.run.RunCoordinator;
import org.capsync.run.RunLock;
import org.capsync.run.RunSummary;
import org.springframework.jdbc.core.JdbcTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code capsync run JOB}: distributes the job's files to every CAP, resuming the last run if it did not finish. After
 * the run, whatever its outcome, the job's metrics file and {@code on-failure}/{@code on-skips} hook ({@link RunReporting}).
 */
@Command(name = "run",
        description = {"Copy the job's files to every CAP; resume the last run if it did not complete.",
                "A CAP whose file a client holds open is retried with backoff, then skipped."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync run client-lkp              the job in jobs/client-lkp.yml",
            "  capsync run /srv/capsync/lkp.yml --threads 8",
            "  capsync run client-lkp --new        give up an unfinished run, start afresh",
            "  capsync run client-lkp --quiet      from cron: only the CAPs left behind",
            "",
            "On a terminal a progress bar shows the CAPs done, copied, skipped, failed,",
            "retrying, and the time left. Otherwise (cron, a pipe): no bar, no colour,",
            "one line per attempt that was not a plain success.",
            "The last line on stdout is the summary, for scripts (one line):",
            "  client-lkp: 18 copied, 1 unchanged, 1 skipped, 0 failed",
            "              (execution 42, COMPLETED_WITH_SKIPS)",
            "Every attempt is logged in CAPSYNC_HOME/logs/JOB.log.",
            "Exit codes: 0 every CAP current, 1 failed (run again to resume), 2 bad input,",
            "            3 some CAPs not current, 4 the job is already running"})
class RunCommand extends Subcommand {

    /** How long a finished run keeps serving the repository to other jobs' runs that joined it. */
    private static final Duration SERVE_OTHERS_MAX = Duration.ofHours(12);

    /**
     * How long a run waits for history commands to let go of the repository before it opens it (see RepositoryGate).
     * Queries hold it for well under a second; a first purge of a large backlog for minutes, and waiting for it is
     * better than depending on its process.
     */
    private static final Duration READERS_WAIT = Duration.ofMinutes(10);

    @Parameters(paramLabel = "JOB", description = "a job file (jobs/client-lkp.yml) or a job name (client-lkp = jobs/client-lkp.yml)")
    String job;

    @Option(names = "--new", description = "abandon an unfinished run of the job and start a new one")
    boolean startNew;

    @Option(names = "--threads", paramLabel = "N", description = "copy to N CAPs at a time (overrides the job file)")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "only problems (CAPs skipped or failed) and the summary line; no progress bar")
    boolean quiet;

    RunCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws Exception {
        JobDefinition definition = new JobFileParser().parse(JobFiles.locate(job, environment));
        RunReporting reporting = reporting(definition);
        Instant started = Instant.now();
        AtomicBoolean reported = new AtomicBoolean();
        try {
            if (threads != null) {
                if (threads < 1 || threads > 256) {
                    throw new UsageException("--threads must be from 1 to 256, not " + threads);
                }
                definition = definition.withThreads(threads);
            }
            CapList caps = new CapListParser().parse(definition.caps());
            SourceFiles.resolve(definition);
            // Checked before anything starts: a credentials file others can read is refused with exit 2.
            SmbCredentials credentials = SmbCredentials.resolve(definition, environment.env());
            CapsyncHome home = environment.home();
            // Typed Object: a local run must not load the broker's classes, not even to verify this method.
            Object broker = definition.options().workers() ? DistributedRun.check(definition, environment.env(), home) : null;
            return run(environment, home.ensureExists(), definition, caps, credentials, startNew, quiet, broker, (summary, repository) -> {
                reporting.afterRun(started, summary, repository);
                reported.set(true);
            }).exitCode();
        } catch (RunLock.RunInProgress e) {
            throw e; // the run in progress reports for itself
        } catch (Exception e) {
            if (!reported.get()) {
                // The hook's output goes where a run's does (the console lines and the job's log), also when the run
                // ended before it configured them (bad input, exit 2); a home never used is not created for it.
                Path logs = new CapsyncHome(CapsyncHome.rootFromEnvironment(environment.env())).logs();
                if (Files.isDirectory(logs)) {
                    JobLogging.configure(logs, definition.name(), ConsoleMode.choose(environment.terminal(), quiet).attemptsThreshold());
                }
                reporting.afterEarlyEnd(started, CapsyncCli.exitCode(e), CapsyncCli.message(e));
            }
            throw e;
        }
    }

    private RunReporting reporting(JobDefinition definition) {
        Path logs = new CapsyncHome(CapsyncHome.rootFromEnvironment(environment.env())).logs();
        try {
            return RunReporting.forJob(definition, environment.env(), logs);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Runs the job and prints its summary line, last; a SIGTERM meanwhile stops it gracefully with the same exit code.
     * On a terminal a progress bar shows meanwhile (see {@link ConsoleMode}). {@code afterRun} sees the summary and the
     * repository before the summary line is printed. {@code broker}: the broker settings of a job on workers, else null.
     */
    static RunSummary run(CliEnvironment environment, CapsyncHome home, JobDefinition job, CapList caps,
            SmbCredentials credentials, boolean startNew, boolean quiet, Object broker,
            BiConsumer<RunSummary, HistoryQueries> afterRun) throws Exception {
        try (RunLock lock = RunLock.acquire(home, job.name())) {
            return runHolding(lock, environment, home, job, caps, credentials, startNew, quiet, broker, afterRun);
        }
    }

    /**
     * {@link #run} under a run lock the caller took already, as {@code demo} does before it touches its site. The lock
     * is released once the job is done (closing it again is harmless).
     */
    static RunSummary runHolding(RunLock lock, CliEnvironment environment, CapsyncHome home, JobDefinition job, CapList caps,
            SmbCredentials credentials, boolean startNew, boolean quiet, Object broker,
            BiConsumer<RunSummary, HistoryQueries> afterRun) throws Exception {
        boolean onWorkers = broker != null;
        Class<?>[] configurations = onWorkers ? DistributedRun.configurations()
                : new Class<?>[] {DistributionJobConfiguration.class};
        ConsoleMode mode = ConsoleMode.choose(environment.terminal(), quiet);
        JobLogging.configure(home.logs(), job.name(), mode.attemptsThreshold());
        try (GracefulStop stop = GracefulStop.install()) {
            RunSummary summary;
            try (// The sessions and shares the CAPs need are opened while Spring and the repository start, and on.
                 SmbSessions smb = new SmbSessions(credentials, job.smbConnections())
                         .connectAhead(onWorkers ? List.of() : smbShares(caps), aheadThreads(job.threads()));
                 var context = RepositoryGate.openForRun(home, READERS_WAIT, () -> RepositoryContext.open(home, job.name(),
                         job.threads() + 4, beans -> {
                             beans.registerSingleton("jobDefinition", job);
                             beans.registerSingleton("capList", caps);
                             beans.registerSingleton("smbCredentials", credentials);
                             beans.registerSingleton("smbSessions", smb);
                             if (onWorkers) {
                                 DistributedRun.register(beans, broker);
                             }
                         }, configurations));
                 AutoCloseable claim = onWorkers ? DistributedRun.claim(context, job.name()) : () -> { }) {
                if (home.repositoryLocation().shared()) {
                    new JobSites(context.getBean(JdbcTemplate.class)).claim(job.name(), JobSites.thisSite(environment.env()));
                }
                RunCoordinator coordinator = context.getBean(RunCoordinator.class);
                stop.onSignal(coordinator::stopRunning);
                try (RunDisplay display = mode == ConsoleMode.LIVE
                        ? LiveConsole.start(environment.out(), job.name(), new ProgressProbe(context.getBean(DataSource.class), job.name()),
                                Style.forTerminal(environment.env()), environment.env())
                        : RunDisplay.none()) {
                    summary = coordinator.run(startNew);
                }
                // Still under the run lock: the next run's report cannot overtake this one.
                afterRun.accept(summary, HistoryQueries.on(context.getBean(DataSource.class)));
                // The job is done: let its next run start, but keep serving the repository to runs of other jobs
                // that joined this process's server, whose connections would break if it exited now.
                lock.close();
                smb.close();
                RepositoryHandOver.awaitProcessesServedBy(context.getBean(DataSource.class), SERVE_OTHERS_MAX);
            } catch (RunCoordinator.RunFailed failed) {
                // The run started and the repository failed under it: its summary line stays the last on stdout, the
                // cause is the one line on stderr.
                environment.out().println(failed.summary().line());
                throw (Exception) failed.getCause();
            }
            environment.out().println(summary.line());
            return summary;
        }
    }

    /** One thread connecting ahead per four copying threads: enough to stay ahead of them at a share per CAP. */
    static int aheadThreads(int threads) {
        return Math.max(1, (threads + 3) / 4);
    }

    /**
     * The shares of the enabled SMB CAPs in list order: the plan deals the CAPs out round-robin, so the partitions meet
     * them in about that order.
     */
    static List<SmbLocation> smbShares(CapList caps) {
        List<SmbLocation> shares = new ArrayList<>();
        for (Cap cap : caps.enabled()) {
            if (cap.isSmb()) {
                shares.add(SmbLocation.parse(cap.path()));
            }
        }
        return shares;
    }
}

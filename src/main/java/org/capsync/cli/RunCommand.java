package org.capsync.cli;

import java.time.Duration;
import java.util.concurrent.Callable;

import org.capsync.copy.smb.SmbCredentials;
import org.capsync.definition.CapList;
import org.capsync.definition.CapListParser;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.JobFileParser;
import org.capsync.definition.SourceFiles;
import org.capsync.run.CapsyncHome;
import org.capsync.run.DistributionJobConfiguration;
import org.capsync.run.GracefulStop;
import org.capsync.run.RepositoryGate;
import org.capsync.run.RunCoordinator;
import org.capsync.run.RunLock;
import org.capsync.run.RunSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code capsync run JOB}: distributes the job's files to every CAP, resuming the last run if it did not finish. */
@Command(name = "run", description = "Copy the job's files to every CAP; resumes the job's last run if it did not complete.")
public class RunCommand implements Callable<Integer> {

    /**
     * How long a run waits for history commands to let go of the repository before it opens it (see RepositoryGate).
     * Queries hold it for well under a second; a first purge of a large backlog for minutes, and waiting for it is
     * better than depending on its process.
     */
    private static final Duration READERS_WAIT = Duration.ofMinutes(10);

    private final CliEnvironment environment;

    @Parameters(paramLabel = "JOB", description = "a job file (jobs/client-lkp.yml) or a job name (client-lkp = jobs/client-lkp.yml)")
    String job;

    @Option(names = "--new", description = "abandon an unfinished run of the job and start a new one")
    boolean startNew;

    @Option(names = "--threads", paramLabel = "N", description = "copy to N CAPs at a time (overrides the job file)")
    Integer threads;

    public RunCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        JobDefinition definition = new JobFileParser().parse(JobFiles.locate(job, environment));
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
        return run(environment, environment.home().ensureExists(), definition, caps, credentials, startNew).exitCode();
    }

    /** Runs the job and prints its summary line; a SIGTERM meanwhile stops it gracefully with the same exit code. */
    static RunSummary run(CliEnvironment environment, CapsyncHome home, JobDefinition job, CapList caps,
            SmbCredentials credentials, boolean startNew) throws Exception {
        try (GracefulStop stop = GracefulStop.install()) {
            RunSummary summary;
            try (RunLock lock = RunLock.acquire(home, job.name());
                 var context = RepositoryGate.openForRun(home, READERS_WAIT, () -> RepositoryContext.open(home, job.name(),
                         job.threads() + 4, beans -> {
                             beans.registerSingleton("jobDefinition", job);
                             beans.registerSingleton("capList", caps);
                             beans.registerSingleton("smbCredentials", credentials);
                         }, DistributionJobConfiguration.class))) {
                RunCoordinator coordinator = context.getBean(RunCoordinator.class);
                stop.onSignal(coordinator::stopRunning);
                summary = coordinator.run(startNew);
            }
            environment.out().println(summary.line());
            return summary;
        }
    }
}

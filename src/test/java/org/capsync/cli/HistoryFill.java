package org.capsync.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import org.capsync.definition.CapList;
import org.capsync.definition.CapListParser;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.JobFileParser;
import org.capsync.logging.JobLogging;
import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RepositoryContext;
import org.capsync.repository.RepositoryDatabase;
import org.capsync.run.DistributionJobConfiguration;
import org.capsync.run.RunCoordinator;
import org.capsync.run.RunLock;

/**
 * For the benchmark's figures 6 and 9: gives a repository a history of N real executions of a job, by running the real job
 * N times in one application context (N processes would take half an hour). Lives in the cli package for
 * {@link RepositoryContext}. Arguments: CAPSYNC_HOME, job file, N.
 */
public final class HistoryFill {

    private HistoryFill() {
    }

    public static void main(String[] args) throws Exception {
        RepositoryDatabase.confineToLoopback();
        CapsyncHome home = new CapsyncHome(Path.of(args[0]).toAbsolutePath()).ensureExists();
        JobDefinition job = new JobFileParser().parse(Path.of(args[1]));
        CapList caps = new CapListParser().parse(job.caps());
        int runs = Integer.parseInt(args[2]);
        JobLogging.configure(home.logs(), job.name(), "INFO");
        try (RunLock lock = RunLock.acquire(home, job.name());
             var context = RepositoryContext.open(home, job.name(), job.threads() + 4, beans -> {
                 beans.registerSingleton("jobDefinition", job);
                 beans.registerSingleton("capList", caps);
             }, DistributionJobConfiguration.class)) {
            RunCoordinator coordinator = context.getBean(RunCoordinator.class);
            for (int i = 0; i < runs; i++) {
                var summary = coordinator.run(false);
                if (summary.exitCode() != 0) {
                    throw new IllegalStateException("history run " + i + " ended " + summary.line());
                }
            }
        }
        // A repository written by a thousand nightly runs has been compacted a little at every close (H2's
        // MAX_COMPACT_TIME); one written in one JVM is mostly dead chunks (1.2 GB for 1,000 runs of 20 CAPs), which
        // every later open and query would pay for.
        String url = "jdbc:h2:file:" + home.repository().resolve("capsync").toString().replace('\\', '/');
        try (Connection c = DriverManager.getConnection(url, home.repositoryLocation().user(), home.repositoryLocation().password());
             Statement st = c.createStatement()) {
            st.execute("SHUTDOWN COMPACT");
        }
        System.exit(0);
    }
}

package org.capsync.cli;

import java.time.Duration;

import org.capsync.copy.smb.SmbCredentials;
import org.capsync.definition.CapList;
import org.capsync.definition.CapListParser;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.JobFileParser;
import org.capsync.demo.BriefHolder;
import org.capsync.demo.ClientSimulator;
import org.capsync.demo.DemoSite;
import org.capsync.repository.CapsyncHome;
import org.capsync.run.RunLock;
import org.capsync.run.RunSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code capsync demo}: a demo site under {@code CAPSYNC_HOME/demo} with two clients holding {@code client.lkp} open,
 * one briefly (retried, then copied) and one throughout (skipped), and a run of its job.
 */
@Command(name = "demo",
        description = {"Try capsync: create a demo site with 20 CAPs and run its job.",
                "The site is in CAPSYNC_HOME/demo; clients hold the file open at two CAPs,",
                "one briefly (retried, then copied), one throughout (skipped)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync demo             first time: makes the site, copies, retries, skips",
            "  capsync demo             again: the CAPs already current are left unchanged",
            "  capsync demo --reset     the site anew, CAPs back to last week's file"})
class DemoCommand extends Subcommand {

    @Option(names = "--reset", description = "make the demo site anew (CAPs back to last week's file)")
    boolean reset;

    DemoCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws Exception {
        CapsyncHome home = environment.home().ensureExists();
        // The job's run lock before the site is touched: a demo already running keeps its site and its clients
        // (exit 4 here, before --reset wipes anything or a second pair of clients holds its files).
        try (RunLock lock = RunLock.acquire(home, DemoSite.JOB)) {
            return demo(lock, home);
        }
    }

    private int demo(RunLock lock, CapsyncHome home) throws Exception {
        DemoSite site = new DemoSite(home.root().resolve("demo"));
        if (reset || !site.exists()) {
            site.create();
            environment.out().println("Demo site created in " + site.root());
        } else {
            environment.out().println("Demo site in " + site.root() + " (already there: --reset makes it anew)");
        }
        JobDefinition job = new JobFileParser().parse(site.jobFile());
        CapList caps = new CapListParser().parse(job.caps());
        environment.out().println("Clients hold client.lkp open at " + DemoSite.BRIEFLY_HELD + " (until a few seconds after capsync finds it in use) and at "
                + DemoSite.HELD + " (throughout the run).");
        environment.out().flush();
        RunSummary summary;
        try (ClientSimulator brief = ClientSimulator.hold(site.capFile(DemoSite.BRIEFLY_HELD), Duration.ofMinutes(1));
             ClientSimulator held = ClientSimulator.hold(site.capFile(DemoSite.HELD), Duration.ofMinutes(5));
             BriefHolder letGo = BriefHolder.releaseAfterRefusal(brief, home, job.name(), DemoSite.BRIEFLY_HELD, Duration.ofSeconds(3))) {
            summary = RunCommand.runHolding(lock, environment, home, job, caps, SmbCredentials.GUEST, false, false, null, (done, history) -> {
            });
        }
        environment.out().println();
        environment.out().println("Look at what happened:  ./capsync history " + job.name() + "   and   ./capsync show " + summary.executionId());
        environment.out().println("As a page:              ./capsync report " + job.name() + " --html " + job.name() + "-report.html");
        environment.out().println("Run it again:           ./capsync demo   (the CAPs already current are left unchanged)");
        return summary.exitCode();
    }
}

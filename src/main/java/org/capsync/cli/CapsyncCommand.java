package org.capsync.cli;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import org.capsync.run.RunSummary;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top of the command line: {@code capsync COMMAND}. */
@Command(name = "capsync",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Puts the site server's inbox files (client.lkp) onto every Client Access Point,",
                "retrying while clients hold them open, and records every run."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync demo                     try it: 20 CAPs, two of them held by a client",
            "  capsync run client-lkp           copy jobs/client-lkp.yml's files to its CAPs",
            "  capsync history client-lkp       its last runs: status and counts",
            "  capsync caps client-lkp --stale  which CAPs are behind, and since when",
            "  capsync report client-lkp --html report.html   the last 30 runs as a page",
            "  capsync help run                 the options and examples of one command",
            "  source <(capsync generate-completion)   tab completion in bash or zsh",
            "",
            "Exit codes: 0 every CAP current       1 job failed (run again to resume)",
            "            2 bad input or usage      3 done, but some CAPs not current",
            "            4 the job is already running",
            "Environment: CAPSYNC_HOME  repository, logs and locks (default ~/.capsync)"})
class CapsyncCommand implements Callable<Integer> {

    /**
     * capsync's commands, in the order its help lists them. {@link CapsyncCli} adds them to the command line (only the
     * one invoked, when the command line names one).
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, DemoCommand.class, HistoryCommand.class,
            ShowCommand.class, CapsCommand.class, VerifyCommand.class, PurgeCommand.class, ReportCommand.class, WorkerCommand.class,
            HelpCommand.class, AutoComplete.GenerateCompletion.class, HoldOpenCommand.class);

    /** Commands that work on the whole command tree: {@code help COMMAND}, the completion script. */
    static final Set<Class<?>> NEED_EVERY_COMMAND = Set.of(HelpCommand.class, AutoComplete.GenerateCompletion.class);

    @Spec
    CommandSpec spec;

    /** {@code capsync} alone: the help, on stderr, as a usage error (a script that forgot its command must not pass). */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("capsync: a command is required");
        spec.commandLine().usage(spec.commandLine().getErr());
        return RunSummary.EXIT_USAGE;
    }
}

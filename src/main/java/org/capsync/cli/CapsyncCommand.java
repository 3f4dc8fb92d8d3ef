package org.capsync.cli;

import picocli.CommandLine.Command;

/** The top of the command line: {@code capsync COMMAND}. */
@Command(name = "capsync",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Puts the site server's inbox files (client.lkp) onto every Client Access Point, retrying while clients hold them open.",
        subcommands = {RunCommand.class, DemoCommand.class, HoldOpenCommand.class,
                HistoryCommand.class, ShowCommand.class, CapsCommand.class, VerifyCommand.class, PurgeCommand.class},
        footer = {"", "Exit codes: 0 all CAPs current, 1 job failed (restartable), 2 bad input or usage,",
                "            3 completed but some CAPs not current, 4 another run of the job is in progress.",
                "Environment: CAPSYNC_HOME  repository, logs and locks (default ~/.capsync)"})
public class CapsyncCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is required (try 'capsync --help')");
    }
}

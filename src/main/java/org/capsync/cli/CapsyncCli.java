package org.capsync.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.capsync.definition.DefinitionException;
import org.capsync.logging.JobLogging;
import org.capsync.repository.CapsyncHome;
import org.capsync.repository.JobSites;
import org.capsync.repository.RepositoryLocation;
import org.capsync.repository.RepositoryProblems;
import org.capsync.run.RunLock;
import org.capsync.run.RunSummary;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Builds the command line with its subcommands and maps every failure to capsync's documented exit codes. */
public final class CapsyncCli {

    private CapsyncCli() {
    }

    /**
     * picocli looks for Groovy's {@code Closure} class on first use unless told not to. No jar holds it, so the class
     * loader opens every one of capsync's jars to be sure: most of what {@code --version} and a command's help cost
     * beyond a bare JVM (docs/performance.md). capsync's annotations hold no closures.
     */
    public static void skipGroovyLookup() {
        System.setProperty("picocli.disable.closures", "true");
    }

    public static int execute(String... args) {
        return execute(CliEnvironment.fromProcess(), args);
    }

    public static int execute(CliEnvironment environment, String... args) {
        // Before any library logs: what they log goes to the home's log file, never to stdout.
        Path logs = new CapsyncHome(CapsyncHome.rootFromEnvironment(environment.env())).logs();
        JobLogging.configureForCommand(logs);
        CommandLine cli = new CommandLine(new CapsyncCommand(), new CommandFactory(environment));
        // Before the settings below: picocli applies them to the subcommands present when they are set. No lambda or
        // method reference on a picocli type anywhere on this path: linking one at the archive's dump makes the JDK
        // leave picocli's (Java 5) classes out of the start-up archive, and reading them from the jar costs every start.
        for (Class<?> subcommand : subcommandsFor(args)) {
            cli.addSubcommand(subcommand);
        }
        cli.setOut(environment.out());
        cli.setErr(environment.err());
        cli.setParameterExceptionHandler(new UsageErrors());
        cli.setExecutionExceptionHandler(new OneLineFailures(logs));
        int code;
        try {
            code = cli.execute(args);
        } catch (VirtualMachineError e) {
            // picocli hands on what is not an Exception: the JVM would print it with its trace on stderr.
            JobLogging.openCommandLogForFailure(logs);
            LoggerFactory.getLogger(CapsyncCli.class).error("capsync ended with exit {}", RunSummary.EXIT_FAILED, e);
            environment.err().println("capsync: " + (e instanceof OutOfMemoryError
                    ? "out of memory (" + e.getMessage() + "); give Java more with -Xmx in CAPSYNC_JAVA_OPTS"
                    : "unexpected failure (" + e.getClass().getSimpleName() + ")") + "; the log has the whole trace");
            code = RunSummary.EXIT_FAILED;
        }
        environment.out().flush();
        environment.err().flush();
        return code;
    }

    /**
     * The command the command line names, alone, or else all of them (for the usage, {@code help}, a mistyped command).
     * picocli reads a command's annotations, options and mixins when it is added: all of them are a measurable part of
     * every start (docs/performance.md, "Costs the code avoids"), which a run or a query has no use for.
     */
    static List<Class<?>> subcommandsFor(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return List.of();
        }
        if (args.length > 0) {
            for (Class<?> subcommand : CapsyncCommand.SUBCOMMANDS) {
                CommandLine.Command command = subcommand.getAnnotation(CommandLine.Command.class);
                if ((command.name().equals(args[0]) || Arrays.asList(command.aliases()).contains(args[0]))
                        && !CapsyncCommand.NEED_EVERY_COMMAND.contains(subcommand)) {
                    return List.of(subcommand);
                }
            }
        }
        return CapsyncCommand.SUBCOMMANDS;
    }

    static int exitCode(Exception e) {
        if (e instanceof DefinitionException || e instanceof UsageException || e instanceof CommandLine.ParameterException
                || e instanceof RepositoryLocation.InvalidSetting || e instanceof JobSites.OtherSite) {
            return RunSummary.EXIT_USAGE;
        }
        if (e instanceof RunLock.RunInProgress) {
            return RunSummary.EXIT_RUNNING;
        }
        return RunSummary.EXIT_FAILED;
    }

    /**
     * The one line a failure prints, with any control character in it written out ({@code \n}, {@code \e},
     * {@code \u0007}): a job file, a CAP list or an argument may hold one, and echoed as it is it would split the line,
     * or rewrite the terminal with an escape sequence.
     */
    static String printable(String line) {
        StringBuilder out = new StringBuilder(line.length());
        line.codePoints().forEach(c -> {
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == 0x1b) {
                out.append("\\e");
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    static String message(Exception e) {
        if (e instanceof UncheckedIOException io) {
            // capsync's own words, unless it only wraps an IOException, whose toString() names its class
            return io.getCause() != null && String.valueOf(io.getMessage()).equals(io.getCause().toString())
                    ? RepositoryProblems.describe(io) : io.getMessage();
        }
        if (e instanceof DefinitionException || e instanceof RunLock.RunInProgress
                || e instanceof UsageException || e instanceof RepositoryLocation.InvalidSetting
                || e instanceof JobSites.OtherSite) {
            return e.getMessage();
        }
        return RepositoryProblems.describe(e);
    }

    /** A command's failure: one line on stderr, the whole trace in the log file only, the documented exit code. */
    private record OneLineFailures(Path logs) implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            int code = exitCode(e);
            if (code != RunSummary.EXIT_USAGE) {
                JobLogging.openCommandLogForFailure(logs);
                // Outside "capsync", whose lines a run also shows on its console: capsync.log, or a run's job log.
                LoggerFactory.getLogger(CapsyncCli.class).error("capsync {} ended with exit {}", commandLine.getCommandName(),
                        code, e);
            }
            commandLine.getErr().println("capsync: " + printable(message(e)));
            commandLine.getErr().flush();
            return code;
        }
    }

    /** Instantiates commands with the environment, so no command reads statics. */
    private record CommandFactory(CliEnvironment environment) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(CliEnvironment.class).newInstance(environment);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}

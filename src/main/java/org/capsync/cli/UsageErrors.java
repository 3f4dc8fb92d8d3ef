package org.capsync.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.capsync.run.RunSummary;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command line capsync cannot parse: what is wrong in one line, a "Did you mean" for a mistyped command or option,
 * the command's synopsis and where the full help is — short enough to read in a cron mail — and exit code 2.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

    /** Edits (insert, delete, change, swap) a typo may be away from a name and still be suggested. */
    private static final int MAX_EDITS = 2;

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println("capsync: " + CapsyncCli.printable(describe(e)));
        List<String> suggestions = suggestions(e);
        if (!suggestions.isEmpty()) {
            err.println("Did you mean: " + String.join(" or ", suggestions) + "?");
        }
        CommandLine.Help help = cli.getHelp();
        err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
        err.println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for more.");
        err.flush();
        return RunSummary.EXIT_USAGE;
    }

    private static String describe(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            if (u.isUnknownOption()) {
                return "unknown option '" + first + "'";
            }
            if (expectsCommand(u.getCommandLine())) {
                return "unknown command '" + first + "'";
            }
            return "unexpected argument" + (u.getUnmatched().size() > 1 ? "s " : " ")
                    + String.join(" ", u.getUnmatched().stream().map(a -> "'" + a + "'").toList());
        }
        String message = e.getMessage();
        return message == null || message.isEmpty() ? "bad command line"
                : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    private static List<String> suggestions(ParameterException e) {
        if (!(e instanceof UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return List.of();
        }
        String typed = u.getUnmatched().get(0);
        CommandSpec spec = u.getCommandLine().getCommandSpec();
        List<String> candidates = new ArrayList<>();
        if (u.isUnknownOption()) {
            String name = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
            for (OptionSpec option : spec.options()) {
                if (!option.hidden()) {
                    candidates.addAll(List.of(option.names()));
                }
            }
            return closest(name, candidates);
        }
        if (expectsCommand(u.getCommandLine())) {
            spec.subcommands().forEach((name, sub) -> {
                if (!sub.getCommandSpec().usageMessage().hidden()) {
                    candidates.add(name);
                }
            });
            return closest(typed, candidates);
        }
        return List.of();
    }

    private static boolean expectsCommand(CommandLine cli) {
        return !cli.getSubcommands().isEmpty() && cli.getCommandSpec().positionalParameters().isEmpty();
    }

    /** The candidates nearest to what was typed, or that it abbreviates; none if nothing is near. */
    static List<String> closest(String typed, List<String> candidates) {
        String t = typed.toLowerCase(Locale.ROOT);
        int best = Integer.MAX_VALUE;
        Set<String> found = new LinkedHashSet<>();
        for (String candidate : candidates) {
            String c = candidate.toLowerCase(Locale.ROOT);
            int d = c.startsWith(t) && t.replace("-", "").length() >= 2 ? 1 : distance(t, c);
            if (d > Math.min(MAX_EDITS, Math.max(1, c.length() / 2)) || d > best) {
                continue;
            }
            if (d < best) {
                found.clear();
                best = d;
            }
            found.add(candidate);
        }
        return List.copyOf(found);
    }

    /** Damerau-Levenshtein distance (optimal string alignment): a swapped pair of letters is one typo. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

package org.capsync.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} for a subcommand (the version belongs to {@code capsync} itself). */
class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}

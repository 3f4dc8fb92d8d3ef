package org.capsync.cli;

import picocli.CommandLine.Mixin;

/** A subcommand that prints rows: a table for a person, {@code --json} or {@code --csv} for a script. */
abstract class ListingSubcommand extends Subcommand {

    @Mixin
    OutputOptions output;

    ListingSubcommand(CliEnvironment environment) {
        super(environment);
    }
}

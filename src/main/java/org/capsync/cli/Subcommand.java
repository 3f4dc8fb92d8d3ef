package org.capsync.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;

/** What every subcommand has: the environment it runs in (never statics) and {@code -h, --help}. */
abstract class Subcommand implements Callable<Integer> {

    final CliEnvironment environment;

    @Mixin
    HelpOption help;

    Subcommand(CliEnvironment environment) {
        this.environment = environment;
    }
}

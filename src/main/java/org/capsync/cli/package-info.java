/**
 * The command line (picocli): one class per command, option checks (exit code 2), and the one mapping of every
 * failure to capsync's documented exit codes ({@code CapsyncCli}). Thin: commands parse, call the packages that do the
 * work, and print. Nothing imports this package.
 */
package org.capsync.cli;

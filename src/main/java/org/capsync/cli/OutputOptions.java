package org.capsync.cli;

import org.capsync.console.Listing;
import picocli.CommandLine.Option;

/** {@code --json} / {@code --csv}: the history commands' output for scripts; a readable table without either. */
class OutputOptions {

    @Option(names = "--json", description = "print JSON (an array of objects; field names in docs/history.md)")
    boolean json;

    @Option(names = "--csv", description = "print CSV with a header line (the JSON field names)")
    boolean csv;

    Listing.Format format() {
        if (json && csv) {
            throw new UsageException("--json and --csv exclude each other: choose one");
        }
        return json ? Listing.Format.JSON : csv ? Listing.Format.CSV : Listing.Format.TABLE;
    }
}

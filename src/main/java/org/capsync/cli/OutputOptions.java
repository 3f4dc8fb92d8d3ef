package org.capsync.cli;

import org.capsync.history.Report;
import picocli.CommandLine.Option;

/** {@code --json} / {@code --csv}: the history commands' output for scripts; a readable table without either. */
public class OutputOptions {

    @Option(names = "--json", description = "print JSON (an array of objects; field names in the README)")
    boolean json;

    @Option(names = "--csv", description = "print CSV with a header line (the JSON field names)")
    boolean csv;

    Report.Format format() {
        if (json && csv) {
            throw new UsageException("--json and --csv exclude each other: choose one");
        }
        return json ? Report.Format.JSON : csv ? Report.Format.CSV : Report.Format.TABLE;
    }
}

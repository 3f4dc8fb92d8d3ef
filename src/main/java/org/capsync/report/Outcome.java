package org.capsync.report;

/**
 * What one execution did for one CAP, as the report colours it. Worst first: a CAP with two files shows the worse.
 */
enum Outcome {
    FAILED("failed", "#e03131", "an error other than in use (folder missing, access denied, disk full)"),
    SKIPPED("skipped", "#f08c00", "in use at every attempt"),
    UNFINISHED("unfinished", "#ffd43b", "in use when the execution stopped or still running; a restart carried on"),
    COPIED("copied", "#2f9e44", "the new file was written"),
    UNCHANGED("unchanged", "#a5d8ff", "the CAP already held the file"),
    NOT_RUN("not run", "#e9ecef", "this execution did not handle it: another execution of the run did, or it was not reached");

    private final String label;
    private final String colour;
    private final String meaning;

    Outcome(String label, String colour, String meaning) {
        this.label = label;
        this.colour = colour;
        this.meaning = meaning;
    }

    public String label() {
        return label;
    }

    /** The cell colour in the HTML page (also what its test looks for in the rendered page). */
    public String colour() {
        return colour;
    }

    public String meaning() {
        return meaning;
    }

    /** The CSS class of a cell: {@code o-copied}, {@code o-not-run}. */
    public String cssClass() {
        return "o-" + label.replace(' ', '-');
    }

    static Outcome ofStatus(String status) {
        return switch (status) {
            case "COPIED" -> COPIED;
            case "UNCHANGED" -> UNCHANGED;
            case "SKIPPED" -> SKIPPED;
            case "FAILED" -> FAILED;
            default -> UNFINISHED;
        };
    }

    Outcome worse(Outcome other) {
        return other.ordinal() < ordinal() ? other : this;
    }
}

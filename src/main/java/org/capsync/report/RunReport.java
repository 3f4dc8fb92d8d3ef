package org.capsync.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.capsync.history.PairOutcome;

/**
 * Everything the run report shows, read from the job repository: the last runs (executions, oldest first), every CAP
 * they touched with what each execution did for it, and the CAPs that are stale now.
 */
public record RunReport(String job, Instant generated, List<Run> runs, List<CapRow> caps) {

    /**
     * One execution: a column of the grid and a bar of the chart.
     *
     * @param restartOf the execution it resumed, or null for a new run
     * @param status    COMPLETED, COMPLETED_WITH_SKIPS, FAILED, STOPPED, STARTED, ABANDONED
     * @param workers   the processes ({@code host:pid}) that made its outcomes
     */
    public record Run(long executionId, long instanceId, Long restartOf, Instant start, Instant end, String status,
            Map<Outcome, Integer> counts, List<String> workers) {

        public Run(long executionId, long instanceId, Long restartOf, Instant start, Instant end, String status,
                Map<Outcome, Integer> counts) {
            this(executionId, instanceId, restartOf, start, end, status, counts, List.of());
        }

        public int count(Outcome outcome) {
            return counts.getOrDefault(outcome, 0);
        }
    }

    /** One file of a CAP in one execution: its outcome there, and the attempts that execution made. */
    public record FileCell(String file, Outcome outcome, String reason, List<PairOutcome.Attempt> attempts) {
    }

    /**
     * A CAP in one execution: the worst of its files' outcomes.
     *
     * @param note why the execution did not handle the CAP (NOT_RUN, with no files), else null
     */
    public record Cell(long executionId, Outcome outcome, List<FileCell> files, String note) {
    }

    /**
     * A file of a CAP that is not current now: its last known outcome was skipped or failed.
     *
     * @param since          start of the first run after its last success (or of its first run, if none succeeded)
     * @param sinceExecution that run's first execution, or null
     * @param runsMissed     runs since then that ended without making it current
     */
    public record Stale(String file, Instant since, Long sinceExecution, int runsMissed, String lastError) {
    }

    /** A row of the grid: a CAP, whether it is stale now, and one cell per run (same order as {@link #runs()}). */
    public record CapRow(String cap, List<Stale> stale, List<Cell> cells) {

        public boolean isStale() {
            return !stale.isEmpty();
        }

        /** The earliest "stale since" of its files. */
        public Instant staleSince() {
            return stale.stream().map(Stale::since).filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(null);
        }
    }
}

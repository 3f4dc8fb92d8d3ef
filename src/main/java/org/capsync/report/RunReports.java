package org.capsync.report;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.capsync.history.CapState;
import org.capsync.history.Execution;
import org.capsync.history.HistoryQueries;
import org.capsync.history.PairOutcome;
import org.capsync.report.RunReport.CapRow;
import org.capsync.report.RunReport.Cell;
import org.capsync.report.RunReport.FileCell;
import org.capsync.report.RunReport.Run;
import org.capsync.report.RunReport.Stale;

/**
 * Builds a {@link RunReport} from what {@code capsync history}, {@code show} and {@code caps} read (the history
 * package's queries, not a second set): the job's last executions, what each handled, and each CAP's state now.
 */
public final class RunReports {

    private final HistoryQueries history;
    private final Clock clock;

    public RunReports(HistoryQueries history, Clock clock) {
        this.history = history;
        this.clock = clock;
    }

    /** The report on the job's last {@code limit} executions, oldest first. */
    public RunReport report(String job, int limit) {
        List<Execution> executions = new ArrayList<>(history.executions(job, null, limit));
        Collections.reverse(executions);
        Map<Long, Map<String, List<PairOutcome>>> handled = new HashMap<>();
        TreeSet<String> capNames = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Execution execution : executions) {
            Map<String, List<PairOutcome>> byCap = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (PairOutcome pair : history.handledBy(execution.executionId(), true)) {
                byCap.computeIfAbsent(pair.cap(), k -> new ArrayList<>()).add(pair);
                capNames.add(pair.cap());
            }
            handled.put(execution.executionId(), byCap);
        }
        Map<String, List<Stale>> stale = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (CapState state : history.caps(job)) {
            capNames.add(state.cap());
            if (!state.current()) {
                stale.computeIfAbsent(state.cap(), k -> new ArrayList<>()).add(new Stale(state.file(), state.staleSince(),
                        state.staleSinceExecution(), state.runsMissed(), state.error()));
            }
        }

        Map<String, List<Cell>> cellsByCap = new LinkedHashMap<>();
        capNames.forEach(cap -> cellsByCap.put(cap, new ArrayList<>()));
        List<Run> runs = new ArrayList<>();
        for (Execution execution : executions) {
            Map<String, List<PairOutcome>> byCap = handled.get(execution.executionId());
            int unfinished = 0;
            for (String cap : capNames) {
                List<PairOutcome> pairs = byCap.getOrDefault(cap, List.of());
                if (pairs.isEmpty()) {
                    cellsByCap.get(cap).add(new Cell(execution.executionId(), Outcome.NOT_RUN, List.of(),
                            whyNotRun(cap, execution, executions, handled)));
                    continue;
                }
                List<FileCell> files = pairs.stream().map(RunReports::fileCell).toList();
                unfinished += (int) files.stream().filter(f -> f.outcome() == Outcome.UNFINISHED).count();
                Outcome worst = files.stream().map(FileCell::outcome).reduce(Outcome::worse).orElseThrow();
                cellsByCap.get(cap).add(new Cell(execution.executionId(), worst, files, null));
            }
            Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
            counts.put(Outcome.COPIED, execution.copied());
            counts.put(Outcome.UNCHANGED, execution.unchanged());
            counts.put(Outcome.SKIPPED, execution.skipped());
            counts.put(Outcome.FAILED, execution.failed());
            counts.put(Outcome.UNFINISHED, unfinished);
            runs.add(new Run(execution.executionId(), execution.instanceId(), execution.restartOf(), execution.start(),
                    execution.end(), execution.status(), counts, execution.workers()));
        }
        List<CapRow> rows = new ArrayList<>();
        cellsByCap.forEach((cap, cells) -> rows.add(new CapRow(cap, stale.getOrDefault(cap, List.of()), cells)));
        // Stale CAPs on top, the longest stale first; then the others by name.
        rows.sort(Comparator.comparing((CapRow r) -> !r.isStale())
                .thenComparing(CapRow::staleSince, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(CapRow::cap, String.CASE_INSENSITIVE_ORDER));
        return new RunReport(job, clock.instant(), runs, rows);
    }

    private static FileCell fileCell(PairOutcome pair) {
        return new FileCell(pair.file(), Outcome.ofStatus(pair.status()), pair.error(), pair.attemptLog());
    }

    /** For a CAP an execution did not handle: which execution of the same run did, if one in the report did. */
    private static String whyNotRun(String cap, Execution execution, List<Execution> executions,
            Map<Long, Map<String, List<PairOutcome>>> handled) {
        for (Execution other : executions) {
            if (other.instanceId() != execution.instanceId() || other.executionId() == execution.executionId()) {
                continue;
            }
            for (PairOutcome pair : handled.get(other.executionId()).getOrDefault(cap, List.of())) {
                if (!pair.status().equals("RETRY")) {
                    return "done by execution " + other.executionId() + " of the same run (" + pair.file() + " "
                            + pair.status().toLowerCase(java.util.Locale.ROOT) + ")";
                }
            }
        }
        return "not handled by this execution";
    }
}

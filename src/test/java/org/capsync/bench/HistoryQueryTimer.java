package org.capsync.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

import org.capsync.history.HistoryQueries;
import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RepositoryConnection;
import org.capsync.repository.RepositoryDatabase;

/**
 * The history queries alone, without the JVM's start: opens the repository as the commands do and times each query
 * the first time (cold caches, as a command meets them) and then the median of five more.
 *
 * <p>Usage: {@code HistoryQueryTimer CAPSYNC_HOME JOB}.
 */
public final class HistoryQueryTimer {

    public static void main(String[] args) throws Exception {
        RepositoryDatabase.confineToLoopback();
        CapsyncHome home = new CapsyncHome(Path.of(args[0]).toAbsolutePath());
        String job = args[1];
        long opening = System.nanoTime();
        try (RepositoryConnection database = RepositoryConnection.open(home).orElseThrow()) {
            System.out.printf("open repository          %6.0f ms%n", (System.nanoTime() - opening) / 1e6);
            HistoryQueries queries = new HistoryQueries(database.jdbc());
            time("history", () -> queries.executions(null, null, 20).size());
            time("history " + job, () -> queries.executions(job, null, 20).size());
            long latest = queries.executions(job, null, 1).get(0).executionId();
            time("show " + latest, () -> queries.handledBy(latest, false).size());
            time("caps " + job + " --stale", () -> (int) queries.caps(job).stream().filter(c -> !c.current()).count());
            time("standing after a run", () -> queries.standing(job).map(s -> s.stale()).orElse(0));
        }
    }

    private static void time(String what, Supplier<Integer> query) {
        long start = System.nanoTime();
        int rows = query.get();
        double first = (System.nanoTime() - start) / 1e6;
        List<Double> more = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            start = System.nanoTime();
            query.get();
            more.add((System.nanoTime() - start) / 1e6);
        }
        Collections.sort(more);
        System.out.printf("%-24s %6.0f ms first, %6.0f ms median of 5 more (%d rows)%n", what, first, more.get(2), rows);
    }
}

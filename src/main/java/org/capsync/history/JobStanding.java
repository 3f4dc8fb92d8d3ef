package org.capsync.history;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.capsync.repository.PairStatus;

/**
 * Where the CAPs of a job stand after its latest planned run, in figures (what metrics and hooks report): its (CAP,
 * file) pairs by status, how many are stale (not current) and since when the longest-stale one has been.
 *
 * @param instanceId        the job instance these figures are about
 * @param pairs             (CAP, file) pairs of that instance by status, every status present (0 when none)
 * @param stale             pairs not current
 * @param staleCaps         names of the CAPs with a stale pair, sorted, at most {@link HistoryQueries#STALE_NAMES}
 * @param oldestStaleSince  start of the first execution that left the longest-stale pair not current; null if none is
 */
public record JobStanding(long instanceId, Map<PairStatus, Integer> pairs, int stale, List<String> staleCaps,
        Instant oldestStaleSince) {

    public JobStanding {
        pairs = Map.copyOf(pairs);
        staleCaps = List.copyOf(staleCaps);
    }
}

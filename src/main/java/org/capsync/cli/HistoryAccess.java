package org.capsync.cli;

import java.util.Optional;
import java.util.function.Function;

import org.capsync.history.HistoryQueries;
import org.capsync.repository.RepositoryConnection;

/**
 * How a history command reads the home's job repository: opened for the query alone, closed before anything is
 * printed (a run that starts meanwhile waits for it, see RepositoryGate). A job or an execution that the repository
 * does not know is a usage error (exit 2), with what it does know.
 */
final class HistoryAccess {

    private HistoryAccess() {
    }

    /** The query's answer, or empty when no run was ever recorded in the home. */
    static <T> Optional<T> read(CliEnvironment environment, Function<HistoryQueries, T> query) {
        Optional<RepositoryConnection> opened = RepositoryConnection.open(environment.home());
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        try (RepositoryConnection repository = opened.get()) {
            return Optional.of(query.apply(new HistoryQueries(repository.jdbc())));
        }
    }

    /** The query's answer about {@code job}, which must have run. */
    static <T> T readJob(CliEnvironment environment, String job, Function<HistoryQueries, T> query) {
        return readJob(environment, job, query, "no job named '" + job + "' has run: no job repository in "
                + environment.home().repository());
    }

    /** As above, saying {@code noRepository} when no run was ever recorded in the home. */
    static <T> T readJob(CliEnvironment environment, String job, Function<HistoryQueries, T> query, String noRepository) {
        return read(environment, queries -> {
            if (!queries.hasJob(job)) {
                throw new UsageException("no job named '" + job + "' in the job repository (jobs: "
                        + String.join(", ", queries.jobs()) + ")");
            }
            return query.apply(queries);
        }).orElseThrow(() -> new UsageException(noRepository));
    }
}

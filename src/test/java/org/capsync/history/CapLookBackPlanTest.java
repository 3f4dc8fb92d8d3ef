package org.capsync.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.capsync.repository.RepositorySchema;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code caps} and the job's standing look back over a CAP's earlier runs, in H2's own plan: from the newest run
 * backwards through the (job, CAP, file) index, stopping at the first row that answers. So they cost the runs a CAP
 * has been stale, not every run the job ever made. H2 reads an index backwards only for an ORDER BY of all its
 * columns, all descending; an ORDER BY of the run alone has it read and sort every run's row of the CAP first.
 */
class CapLookBackPlanTest {

    @TempDir
    Path dir;

    JdbcDataSource repository;

    @BeforeEach
    void createTheSchema() throws SQLException {
        repository = new JdbcDataSource();
        repository.setURL("jdbc:h2:" + dir.resolve("capsync"));
        repository.setUser("SA");
        repository.setPassword("");
        new RepositorySchema(repository).afterPropertiesSet();
    }

    @Test
    void theLastKnownAndLastCurrentRowsOfACapAreReadNewestRunFirst() throws SQLException {
        for (String query : new String[] {HistoryQueries.LAST_KNOWN, HistoryQueries.LAST_SUCCESS}) {
            String plan = plan(query, "client-lkp", "CAP_001", "client.lkp");

            assertThat(plan).as(plan).contains("CAPSYNC_PAIR_CAP").contains("index sorted");
        }
    }

    @Test
    void theFirstRunAfterTheLastCurrentOneIsReadFromTheIndexInItsOrder() throws SQLException {
        String plan = plan(HistoryQueries.FIRST_RUN_AFTER, "client-lkp", "CAP_001", "client.lkp", 7L);

        assertThat(plan).as(plan).contains("CAPSYNC_PAIR_CAP").contains("index sorted");
    }

    /**
     * The standing's stale-since finds each stale pair's last current run once, in a derived table, and the run after
     * it from there: both from the index in order. In the WHERE of the subquery over the pair's runs, H2 asked for the
     * last current run again for each of them (a CAP stale for 9,700 of 10,000 runs took four minutes).
     */
    @Test
    void staleSinceAsksForEachStalePairsLastCurrentRunOnceAndReadsBothEndsFromTheIndex() throws SQLException {
        String plan = plan(HistoryQueries.STALE_SINCE, 1L);

        assertThat(plan).as(plan).contains("CAPSYNC_PAIR_CAP").containsSubsequence("index sorted", "index sorted")
                .contains("AS \"LAST_CURRENT\"").contains("AS \"SINCE\"");
        assertThat(plan.substring(0, plan.indexOf("AS \"SINCE\""))).as(plan).doesNotContain("STATUS");
    }

    @Test
    void theRunAloneInTheOrderByWouldSortEveryRunOfTheCap() throws SQLException {
        String query = HistoryQueries.LAST_KNOWN.replace(HistoryQueries.NEWEST_RUN_FIRST,
                "ORDER BY JOB_INSTANCE_ID DESC FETCH FIRST 1 ROW ONLY");

        assertThat(plan(query, "client-lkp", "CAP_001", "client.lkp")).doesNotContain("index sorted");
    }

    private String plan(String query, Object... parameters) throws SQLException {
        try (Connection connection = repository.getConnection();
             PreparedStatement explain = connection.prepareStatement("EXPLAIN " + query)) {
            for (int i = 0; i < parameters.length; i++) {
                explain.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = explain.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}

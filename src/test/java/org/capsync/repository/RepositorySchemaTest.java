package org.capsync.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** The repository schema on a real H2 file: migrated by Flyway, and Flyway's checks kept when anything differs. */
class RepositorySchemaTest {

    @TempDir
    Path dir;

    SingleConnectionDataSource dataSource;
    JdbcTemplate jdbc;

    @BeforeEach
    void setUp() {
        RepositoryLocation.EmbeddedH2 repository = new RepositoryLocation.EmbeddedH2(dir);
        dataSource = new SingleConnectionDataSource("jdbc:h2:file:" + dir.resolve("capsync") + ";WRITE_DELAY=0",
                repository.user(), repository.password(), true);
        jdbc = new JdbcTemplate(dataSource);
    }

    @Test
    void createsTheSchemaOfANewRepositoryAndKeepsItAtTheNextStart() throws Exception {
        new RepositorySchema(dataSource).afterPropertiesSet();
        int applied = history();

        new RepositorySchema(dataSource).afterPropertiesSet();

        assertThat(applied).isGreaterThanOrEqualTo(2);
        assertThat(history()).isEqualTo(applied);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_PAIR", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM BATCH_JOB_INSTANCE", Integer.class)).isZero();
    }

    /** The shortcut compares checksums the way Flyway does; a mismatch goes to Flyway's validation, which refuses. */
    @Test
    void anAppliedMigrationThatDiffersFromThisBuildsIsLeftToFlywaysValidation() throws Exception {
        new RepositorySchema(dataSource).afterPropertiesSet();
        jdbc.update("UPDATE \"flyway_schema_history\" SET \"checksum\" = \"checksum\" + 1 WHERE \"version\" = '2'");

        assertThatThrownBy(() -> new RepositorySchema(dataSource).afterPropertiesSet())
                .isInstanceOf(FlywayException.class)
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void aFailedMigrationIsLeftToFlyway() throws Exception {
        new RepositorySchema(dataSource).afterPropertiesSet();
        jdbc.update("UPDATE \"flyway_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '2'");

        assertThatThrownBy(() -> new RepositorySchema(dataSource).afterPropertiesSet())
                .isInstanceOf(FlywayException.class)
                .hasMessageContaining("failed");
    }

    private int history() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL", Integer.class);
    }
}

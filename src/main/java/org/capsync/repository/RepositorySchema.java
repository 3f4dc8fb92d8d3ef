package org.capsync.repository;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Brings the job repository to this build's schema with Flyway ({@code db/migration/{vendor}}), and leaves Flyway out
 * when the repository already holds exactly this build's migrations, which is every run but the first after an
 * upgrade: building Flyway (its plugin register alone loads Jackson) costs more than the rest of a one-CAP run (docs/performance.md, "Costs the code avoids").
 * "Exactly" means every migration on the class path is applied, successfully,
 * under the same script name and with the checksum Flyway itself would compute; anything else (a new, failed, edited
 * or unknown migration, no history table yet) is handed to Flyway, which migrates, validates and reports as usual.
 * {@link RepositoryConfiguration} runs it before it hands out the repository's connection pool.
 */
public final class RepositorySchema implements InitializingBean {

    private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__.+\\.sql");
    /** History rows that record what Flyway created, not a migration. */
    private static final Set<String> MARKERS = Set.of("TABLE", "SCHEMA");

    private final DataSource dataSource;

    public RepositorySchema(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void afterPropertiesSet() throws SQLException {
        String location;
        try (Connection connection = dataSource.getConnection()) {
            location = "db/migration/" + DatabaseDriver.fromJdbcUrl(connection.getMetaData().getURL()).getId();
            Map<String, Migration> migrations = migrationsAt(location);
            if (migrations != null && applied(connection, migrations)) {
                return;
            }
        }
        Flyway.configure().dataSource(dataSource).locations("classpath:" + location).load().migrate();
    }

    private record Migration(String script, int checksum) {
    }

    /** This build's versioned migrations by version, or null when there is anything else (Flyway decides then). */
    private static Map<String, Migration> migrationsAt(String location) {
        Map<String, Migration> migrations = new HashMap<>();
        try {
            for (Resource resource : new PathMatchingResourcePatternResolver().getResources("classpath*:" + location + "/*")) {
                String name = resource.getFilename();
                Matcher versioned = name == null ? null : VERSIONED.matcher(name);
                if (versioned == null || !versioned.matches()) {
                    return null;
                }
                migrations.put(versioned.group(1).replace('_', '.'), new Migration(name, checksum(resource)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the schema migrations in " + location + ": " + e.getMessage(), e);
        }
        return migrations.isEmpty() ? null : migrations;
    }

    /** Whether the history holds exactly these migrations, all successful; false also when there is no history. */
    private static boolean applied(Connection connection, Map<String, Migration> migrations) {
        Map<String, Migration> pending = new HashMap<>(migrations);
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT \"version\", \"type\", \"script\", \"checksum\", \"success\" FROM \"flyway_schema_history\"")) {
            while (rows.next()) {
                String version = rows.getString(1);
                if (!rows.getBoolean(5)) {
                    return false;
                }
                if (version == null) {
                    if (!MARKERS.contains(rows.getString(2))) {
                        return false;
                    }
                    continue;
                }
                Migration local = pending.remove(version);
                int checksum = rows.getInt(4);
                if (local == null || rows.wasNull() || !local.script().equals(rows.getString(3)) || local.checksum() != checksum) {
                    return false;
                }
            }
        } catch (SQLException noHistoryYet) {
            return false;
        }
        return pending.isEmpty();
    }

    /** Flyway's checksum of a SQL migration: CRC32 over its UTF-8 lines without line breaks, BOM removed. */
    private static int checksum(Resource resource) throws IOException {
        CRC32 crc = new CRC32();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8))) {
            String line = reader.readLine();
            if (line != null && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            for (; line != null; line = reader.readLine()) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        return (int) crc.getValue();
    }
}

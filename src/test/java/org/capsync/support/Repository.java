package org.capsync.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RepositoryDatabase;
import org.capsync.repository.RepositoryLocation;

/**
 * Reads a test's job repository from the test JVM, through the running capsync process's auto-server when there is
 * one. One connection per query, so the test never keeps the database open between runs.
 */
public final class Repository {

    private Repository() {
    }

    public static List<Map<String, Object>> query(Path home, String sql, Object... args) {
        try (Connection c = connect(home);
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** For tests that put a repository into a state only a crash at an exact point would leave. */
    public static int update(Path home, String sql) {
        try (Connection c = connect(home);
             PreparedStatement s = c.prepareStatement(sql)) {
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * A connection to the embedded repository of {@code home} as capsync makes it: user {@code sa} with the password
     * from the home's {@code repository/password}; through a running process's auto-server when there is one.
     */
    public static Connection connect(Path home) throws SQLException {
        RepositoryDatabase.confineToLoopback();
        RepositoryLocation repository = new CapsyncHome(home).repositoryLocation();
        return DriverManager.getConnection(repository.jdbcUrl(), repository.user(), repository.password());
    }

    public static long count(Path home, String sql, Object... args) {
        Object value = query(home, sql, args).get(0).values().iterator().next();
        return ((Number) value).longValue();
    }
}

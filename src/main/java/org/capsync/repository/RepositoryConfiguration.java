package org.capsync.repository;

import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.batch.core.configuration.support.JdbcDefaultBatchConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertyResolver;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.annotation.Isolation;

/**
 * The job repository for a run: the connection pool, the schema, JDBC, transactions and Spring Batch's JDBC job
 * repository and operator ({@link JdbcDefaultBatchConfiguration}, which finds the beans {@code dataSource} and
 * {@code transactionManager} by name). Declared here rather than left to Spring Boot's auto-configuration, which
 * evaluated some 25 auto-configurations, their conditions and property bindings on every start for these few beans.
 * <p>
 * Settings, as Spring properties: {@code spring.datasource.url}, {@code .username}, {@code .password},
 * {@code spring.datasource.hikari.maximum-pool-size} and {@link #APPLICATION_NAME}.
 */
@Configuration(proxyBeanMethods = false)
public class RepositoryConfiguration extends JdbcDefaultBatchConfiguration {

    /** PostgreSQL's name for the connection in pg_stat_activity. */
    public static final String APPLICATION_NAME = "spring.datasource.hikari.data-source-properties.ApplicationName";

    /**
     * The pool, handed out only once the repository holds this build's schema ({@link RepositorySchema}): the one a
     * {@link RepositoryOpening} started while the context was being built, or else opened now.
     */
    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(Environment environment, ObjectProvider<RepositoryOpening> opening) throws SQLException {
        RepositoryOpening started = opening.getIfAvailable();
        return started != null ? started.take() : open(environment);
    }

    /** A pool on the repository that {@code properties} name, brought to this build's schema. */
    static HikariDataSource open(PropertyResolver properties) throws SQLException {
        String url = properties.getRequiredProperty("spring.datasource.url");
        HikariDataSource pool = new HikariDataSource();
        pool.setPoolName("capsync-repository");
        pool.setJdbcUrl(url);
        pool.setDriverClassName(url.startsWith("jdbc:postgresql:") ? "org.postgresql.Driver" : "org.h2.Driver");
        pool.setUsername(properties.getProperty("spring.datasource.username", "sa"));
        pool.setPassword(properties.getProperty("spring.datasource.password", ""));
        pool.setMaximumPoolSize(properties.getProperty("spring.datasource.hikari.maximum-pool-size", Integer.class, 10));
        String applicationName = properties.getProperty(APPLICATION_NAME);
        if (applicationName != null) {
            pool.addDataSourceProperty("ApplicationName", applicationName);
        }
        try {
            new RepositorySchema(pool).afterPropertiesSet();
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
        return pool;
    }

    /**
     * Spring Batch creates job instances, executions and step executions at SERIALIZABLE. On PostgreSQL that makes
     * runs of different jobs fail each other (SQLSTATE 40001) when they start together, since every creation reads and
     * writes the same few tables. SERIALIZABLE never kept two runs of one job apart anyway (Spring Batch checks for a
     * running execution in a transaction of its own): on one host the job's {@link RunLock} does; across hosts (two
     * given the same site name) the unique key on {@code (JOB_NAME, JOB_KEY)} refuses a second instance of one run
     * (see {@link RunCoordinator}).
     */
    @Override
    protected Isolation getIsolationLevelForCreate() {
        return Isolation.READ_COMMITTED;
    }

    @Bean
    JdbcTemplate jdbcTemplate(DataSource dataSource) {
        return new JdbcTemplate(dataSource);
    }

    @Bean
    JdbcTransactionManager transactionManager(DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }
}

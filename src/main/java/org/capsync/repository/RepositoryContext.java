package org.capsync.repository;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RepositoryConfiguration;
import org.capsync.repository.RepositoryLocation;
import org.capsync.repository.RepositoryOpening;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotatedBeanDefinitionReader;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the part of the application a command needs, on the home's job repository (the H2 file under
 * {@code CAPSYNC_HOME} or the shared server of {@code CAPSYNC_DB_URL}). The Spring
 * context is only started once the command line and the job's files have been checked, so usage errors stay fast.
 * <p>
 * A plain annotation-configured context, not a Spring Boot application: nothing here is auto-configured
 * ({@link RepositoryConfiguration}), and Boot's start-up (its environment post-processors, {@code application.properties},
 * its logging system, listeners and failure analysis) were a measurable part of every start (docs/performance.md, "Costs the code avoids"). The command
 * configures logging before it opens the context. The repository is opened meanwhile ({@link RepositoryOpening}).
 */
public final class RepositoryContext {

    private RepositoryContext() {
    }

    public static ConfigurableApplicationContext open(CapsyncHome home, String logName, int poolSize,
            Consumer<ConfigurableListableBeanFactory> singletons, Class<?>... configurations) {
        try {
            RepositoryOpening.upgradeEarlierCapsyncs(home.repositoryLocation());
        } catch (SQLException e) {
            throw RepositoryProblems.naming(new IllegalStateException("cannot open " + home.repositoryLocation().describe() + ": "
                    + e.getMessage(), e), home.repositoryLocation());
        }
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.hikari.maximum-pool-size", poolSize);
        properties.putAll(repositoryProperties(home.repositoryLocation(), logName));
        GenericApplicationContext context = new GenericApplicationContext();
        // As strict as a Spring Boot application: a bean defined twice or a dependency cycle is an error.
        context.setAllowBeanDefinitionOverriding(false);
        context.setAllowCircularReferences(false);
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("capsyncRepository", properties));
        RepositoryOpening opening = RepositoryOpening.start(context.getEnvironment(), home.repositoryLocation());
        try {
            context.getBeanFactory().registerSingleton("repositoryOpening", opening);
            context.getBeanFactory().registerSingleton("capsyncHome", home);
            singletons.accept(context.getBeanFactory());
            AnnotatedBeanDefinitionReader reader = new AnnotatedBeanDefinitionReader(context);
            reader.register(RepositoryConfiguration.class);
            reader.register(configurations);
            context.refresh();
        } catch (RuntimeException e) {
            opening.discardIfNotTaken();
            // The whole story in the job's log (its first line on the console); the command says it in one line.
            LoggerFactory.getLogger("capsync.run").error("{}: the run could not start", logName, e);
            throw RepositoryProblems.naming(e, home.repositoryLocation());
        }
        return context;
    }

    private static Map<String, Object> repositoryProperties(RepositoryLocation repository, String logName) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url", repository.jdbcUrl());
        properties.put("spring.datasource.username", repository.user());
        properties.put("spring.datasource.password", repository.password());
        if (repository.shared()) {
            // Names the job in the server's pg_stat_activity, so a DBA sees which job holds a connection.
            properties.put(RepositoryConfiguration.APPLICATION_NAME, "capsync " + logName);
        }
        return properties;
    }
}

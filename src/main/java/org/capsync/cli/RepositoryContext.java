package org.capsync.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.capsync.CapsyncApplication;
import org.capsync.run.CapsyncHome;
import org.capsync.run.RepositoryConfiguration;
import org.capsync.run.RepositoryLocation;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the part of the application a command needs, on the home's job repository (the H2 file under
 * {@code CAPSYNC_HOME} or the shared server of {@code CAPSYNC_DB_URL}). The Spring
 * context is only started once the command line and the job's files have been checked, so usage errors stay fast.
 */
final class RepositoryContext {

    private RepositoryContext() {
    }

    static ConfigurableApplicationContext open(CapsyncHome home, String logName, int poolSize,
            Consumer<ConfigurableListableBeanFactory> singletons, Class<?>... configurations) {
        return open(home, logName, poolSize, Map.of(), singletons, configurations);
    }

    /** As above, with extra Spring properties (the console's log threshold, for instance). */
    static ConfigurableApplicationContext open(CapsyncHome home, String logName, int poolSize, Map<String, ?> extra,
            Consumer<ConfigurableListableBeanFactory> singletons, Class<?>... configurations) {
        Map<String, Object> properties = new HashMap<>(extra);
        properties.put("spring.datasource.hikari.maximum-pool-size", poolSize);
        properties.put("capsync.logs", home.logs().toString());
        properties.put("capsync.log-name", logName);
        Class<?>[] sources = new Class<?>[configurations.length + 1];
        sources[0] = CapsyncApplication.class;
        System.arraycopy(configurations, 0, sources, 1, configurations.length);
        return new SpringApplicationBuilder(sources)
                .web(WebApplicationType.NONE)
                .registerShutdownHook(false)
                .properties(properties)
                .initializers(context -> {
                    // Ahead of application.properties (which the builder's default properties are not).
                    context.getEnvironment().getPropertySources().addFirst(
                            new MapPropertySource("capsyncRepository", repositoryProperties(home.repositoryLocation(), logName)));
                    context.getBeanFactory().registerSingleton("capsyncHome", home);
                    singletons.accept(context.getBeanFactory());
                })
                .run();
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

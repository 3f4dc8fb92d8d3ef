package org.capsync.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import org.slf4j.spi.MDCAdapter;

/**
 * Logback bound to SLF4J as its own provider binds it, without the start-up search: Logback looks through every jar for
 * configurators and configuration files, which opens all hundred of capsync's and costs a history command a tenth of
 * its start. capsync configures Logback in code ({@link JobLogging}), so that search has nothing to find; this starts
 * the context as {@link QuietLogbackStart} would leave it. Named by capsync's main method in {@code slf4j.provider},
 * which also spares SLF4J its own search for providers.
 */
public final class LogbackWithoutSearch extends LogbackServiceProvider {

    /** The system property that names an SLF4J provider, and the one that quiets SLF4J's note that it was named. */
    public static void choose() {
        System.setProperty("slf4j.provider", LogbackWithoutSearch.class.getName());
        System.setProperty("slf4j.internal.verbosity", "WARN");
    }

    @Override
    public void initialize() {
        LoggerContext context = (LoggerContext) getLoggerFactory();
        context.setName("default");
        context.setMDCAdapter((MDCAdapter) getMDCAdapter());
        new QuietLogbackStart().configure(context);
        context.start();
    }
}

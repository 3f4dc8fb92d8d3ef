package org.capsync.logging;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.LogFile;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.logging.LoggingSystemFactory;
import org.springframework.boot.logging.logback.LogbackLoggingSystem;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * {@link JobLogging} for a Spring Boot application (the tests' contexts): Boot's Logback support with capsync's
 * configuration, from the properties {@code capsync.logs}, {@code capsync.log-name} and
 * {@value JobLogging#CONSOLE_ATTEMPTS}. capsync's own command line configures {@link JobLogging} directly.
 */
public class CapsyncLoggingSystem extends LogbackLoggingSystem {

    public CapsyncLoggingSystem(ClassLoader classLoader) {
        super(classLoader);
    }

    /** Called by Spring Boot when no Logback XML file is on the class path, which is capsync's case. */
    @Override
    protected void loadDefaults(LoggingInitializationContext initializationContext, LogFile logFile) {
        Environment environment = initializationContext.getEnvironment();
        String folder = environment.getProperty("capsync.logs", System.getProperty("java.io.tmpdir"));
        String name = environment.getProperty("capsync.log-name", "capsync");
        JobLogging.configure((LoggerContext) LoggerFactory.getILoggerFactory(), folder + "/" + name,
                environment.getProperty(JobLogging.CONSOLE_ATTEMPTS, "INFO"));
    }

    /** Takes the place of Spring Boot's Logback factory, which comes later in the factories' order. */
    @Order(Ordered.HIGHEST_PRECEDENCE)
    public static final class Factory implements LoggingSystemFactory {

        private static final boolean LOGBACK = ClassUtils.isPresent("ch.qos.logback.classic.LoggerContext",
                Factory.class.getClassLoader());

        @Override
        public LoggingSystem getLoggingSystem(ClassLoader classLoader) {
            return LOGBACK ? new CapsyncLoggingSystem(classLoader) : null;
        }
    }
}

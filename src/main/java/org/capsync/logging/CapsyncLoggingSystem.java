package org.capsync.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
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
 * capsync's Logback configuration, built in code when the run's Spring context starts; Spring Boot's Logback support
 * does the rest ({@code logging.level.*}, the JDK logging bridge, clean-up). An XML configuration cost every run
 * 0.1-0.15 s of CPU for Logback's XML configurator and the JDK's XML parser (some 350 classes), more than the copy.
 * <ul>
 * <li>File, per job ({@code capsync.logs}/{@code capsync.log-name}.log, i.e. CAPSYNC_HOME/logs/JOB.log): every attempt
 * (first-try successes at DEBUG), the run's start, end, parameters and snapshot, and warnings from the libraries;
 * rolled daily and at 10 MB, kept 30 days, 500 MB at most.</li>
 * <li>Console, for cron and Task Scheduler mails: only the attempts that were not a plain success (INFO: in use,
 * retried; WARN: skipped or failed; {@code capsync.console.attempts} raises that to WARN for {@code --quiet}) and
 * problems. On a terminal {@code capsync run} routes these same console lines above its progress bar
 * ({@code org.capsync.console.ConsoleRouting}).</li>
 * </ul>
 * The SMB client library reports, with stack traces, what capsync already reports per CAP (a dropped connection, a
 * refused logon): its diagnostics go to the file only, out of the console and the cron mail.
 */
public class CapsyncLoggingSystem extends LogbackLoggingSystem {

    private static final String CONSOLE_PATTERN = "%d{HH:mm:ss} %msg%n";
    private static final String FILE_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{20} %msg%n";

    public CapsyncLoggingSystem(ClassLoader classLoader) {
        super(classLoader);
    }

    /** Called by Spring Boot when no Logback XML file is on the class path, which is capsync's case. */
    @Override
    protected void loadDefaults(LoggingInitializationContext initializationContext, LogFile logFile) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.stop();
        context.reset();
        if (ClassUtils.isPresent("org.slf4j.bridge.SLF4JBridgeHandler", null) && SLF4JBridgeHandler.isInstalled()) {
            // As Spring Boot does: JDK loggers follow Logback's levels, so they do not build records nobody logs.
            LevelChangePropagator propagator = new LevelChangePropagator();
            propagator.setResetJUL(true);
            propagator.setContext(context);
            context.addListener(propagator);
        }
        Environment environment = initializationContext.getEnvironment();
        String folder = environment.getProperty("capsync.logs", System.getProperty("java.io.tmpdir"));
        String name = environment.getProperty("capsync.log-name", "capsync");
        String attemptsThreshold = environment.getProperty("capsync.console.attempts", "INFO");

        Appender<ILoggingEvent> consoleAttempts = console(context, "CONSOLE_ATTEMPTS", attemptsThreshold);
        Appender<ILoggingEvent> consoleProblems = console(context, "CONSOLE_PROBLEMS", "WARN");
        Appender<ILoggingEvent> file = file(context, folder + "/" + name);

        logger(context, "capsync.attempts", Level.DEBUG, consoleAttempts, file);
        logger(context, "capsync", Level.INFO, consoleProblems, file);
        logger(context, "com.hierynomus", Level.WARN, file);
        logger(context, "net.engio", Level.WARN, file);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(consoleProblems);
        root.addAppender(file);
        context.start();
    }

    private static Appender<ILoggingEvent> console(LoggerContext context, String name, String threshold) {
        ThresholdFilter filter = new ThresholdFilter();
        filter.setLevel(threshold);
        filter.setContext(context);
        filter.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setName(name);
        console.setContext(context);
        console.addFilter(filter);
        console.setEncoder(encoder(context, CONSOLE_PATTERN));
        console.start();
        return console;
    }

    private static Appender<ILoggingEvent> file(LoggerContext context, String path) {
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setName("FILE");
        file.setContext(context);
        file.setFile(path + ".log");
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> rolling = new SizeAndTimeBasedRollingPolicy<>();
        rolling.setContext(context);
        rolling.setParent(file);
        rolling.setFileNamePattern(path + ".%d{yyyy-MM-dd}.%i.log");
        rolling.setMaxFileSize(FileSize.valueOf("10MB"));
        rolling.setMaxHistory(30);
        rolling.setTotalSizeCap(FileSize.valueOf("500MB"));
        rolling.start();
        file.setRollingPolicy(rolling);
        file.setEncoder(encoder(context, FILE_PATTERN));
        file.start();
        return file;
    }

    private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    @SafeVarargs
    private static void logger(LoggerContext context, String name, Level level, Appender<ILoggingEvent>... appenders) {
        Logger logger = context.getLogger(name);
        logger.setLevel(level);
        logger.setAdditive(false);
        for (Appender<ILoggingEvent> appender : appenders) {
            logger.addAppender(appender);
        }
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

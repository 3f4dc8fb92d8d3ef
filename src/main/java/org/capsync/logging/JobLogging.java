package org.capsync.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;

/**
 * capsync's Logback configuration, built in code (an XML configuration loads Logback's XML configurator and the JDK's
 * XML parser on every run, which cost more than the copy (docs/performance.md, "Costs the code avoids")):
 * <ul>
 * <li>File, per job ({@code CAPSYNC_HOME/logs/JOB.log}): every attempt (first-try successes at DEBUG), the run's start,
 * end, parameters and snapshot, and warnings from the libraries; rolled daily and at 10 MB, kept 30 days, 500 MB at
 * most.</li>
 * <li>Console, for cron and Task Scheduler mails: only the attempts that were not a plain success (INFO: in use,
 * retried; WARN: skipped or failed; {@code --quiet} raises that to WARN) and problems. On a terminal {@code capsync run}
 * routes these same console lines above its progress bar ({@code org.capsync.console.ConsoleRouting}).</li>
 * </ul>
 * The SMB client library reports, with stack traces, what capsync already reports per CAP (a dropped connection, a
 * refused logon): its diagnostics go to the file only, out of the console and the cron mail. JDK logging (the
 * PostgreSQL driver's) goes to the same place through SLF4J.
 */
public final class JobLogging {

    /** The console's threshold for the attempts' lines: INFO, or WARN for {@code --quiet}. */
    public static final String CONSOLE_ATTEMPTS = "capsync.console.attempts";

    /** Without stack traces: the console is cron's mail and scripts' stdout; traces go to the job's log only. */
    private static final String CONSOLE_PATTERN = "%d{HH:mm:ss} %msg%n%nopex";
    private static final String FILE_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{20} %msg%n";

    private JobLogging() {
    }

    /**
     * Replaces whatever Logback was configured with: the console, and the file {@code folder/name.log}.
     *
     * @param attemptsThreshold the console's level for the attempts' lines (INFO or WARN)
     */
    public static void configure(Path folder, String name, String attemptsThreshold) {
        JdkLoggingToSlf4j.chooseUnlessConfigured();
        configure((LoggerContext) LoggerFactory.getILoggerFactory(), folder.resolve(name).toString(), attemptsThreshold);
    }

    /** As above on {@code context}, for the file {@code path.log}. */
    static void configure(LoggerContext context, String path, String attemptsThreshold) {
        context.stop();
        context.reset();
        Appender<ILoggingEvent> consoleAttempts = console(context, "CONSOLE_ATTEMPTS", attemptsThreshold);
        Appender<ILoggingEvent> consoleProblems = console(context, "CONSOLE_PROBLEMS", "WARN");
        Appender<ILoggingEvent> file = file(context, path);

        logger(context, "capsync.attempts", Level.DEBUG, consoleAttempts, file);
        logger(context, "capsync", Level.INFO, consoleProblems, file);
        // What an on-failure / on-skips command printed: on the console too (cron mails it), before the summary.
        logger(context, "capsync.hook", Level.INFO, console(context, "CONSOLE_HOOKS", "INFO"), file);
        logger(context, "com.hierynomus", Level.WARN, file);
        logger(context, "net.engio", Level.WARN, file);
        // A job on workers: the broker client and Spring's JMS listeners retry by themselves; capsync says what matters.
        logger(context, "org.apache.activemq", Level.WARN, file);
        logger(context, "org.springframework.jms", Level.WARN, file);
        // Flyway notes that H2 is newer than the version it was verified with; H2 2.x is what capsync supports.
        context.getLogger("org.flywaydb.core.internal.database").setLevel(Level.ERROR);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        // The libraries' warnings and errors (Spring's, H2's, the pool's) in the file only: what they mean for the
        // run, capsync says in its own line.
        root.addAppender(file);
        context.start();
    }

    /**
     * For every command before it starts (a run replaces it with {@link #configure} once its job is known): no console
     * at all, because stdout carries only a command's documented output (JSON, CSV, a table, the summary line) and
     * stderr its one-line error; what the libraries and capsync log goes to {@code folder/capsync.log} when that folder
     * exists, and nowhere otherwise (a command is not what creates {@code CAPSYNC_HOME}).
     */
    public static void configureForCommand(Path folder) {
        JdkLoggingToSlf4j.chooseUnlessConfigured();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.stop();
        context.reset();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        Logger capsync = context.getLogger("capsync");
        capsync.setLevel(Level.INFO);
        context.getLogger("org.flywaydb.core.internal.database").setLevel(Level.ERROR);
        if (Files.isDirectory(folder)) {
            addCommandLog(context, root, folder);
        }
        context.start();
    }

    /**
     * Before a command's failure is logged: the command's log file, also in a home no command had used yet (where
     * {@link #configureForCommand} opened none), so that the trace the one-line error points to is kept. A home that
     * cannot be made keeps nothing, as before.
     */
    public static void openCommandLogForFailure(Path folder) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender("FILE") != null) {
            return;
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException | SecurityException e) {
            return;
        }
        addCommandLog(context, root, folder);
    }

    /**
     * {@code folder/capsync.log}, opened when something is logged: most commands log nothing, and the rolling file
     * costs a tenth of their start.
     */
    private static void addCommandLog(LoggerContext context, Logger root, Path folder) {
        FileOnFirstEvent file = new FileOnFirstEvent(() -> file(context, folder.resolve("capsync").toString()));
        file.setContext(context);
        file.start();
        root.addAppender(file);
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

    /** A file appender made when the first event arrives. */
    private static final class FileOnFirstEvent extends AppenderBase<ILoggingEvent> {

        private final Supplier<Appender<ILoggingEvent>> opening;
        private Appender<ILoggingEvent> file;

        FileOnFirstEvent(Supplier<Appender<ILoggingEvent>> opening) {
            this.opening = opening;
            setName("FILE");
        }

        @Override
        protected void append(ILoggingEvent event) {
            // AppenderBase.doAppend holds this appender's lock: one file, however many threads log at once.
            if (file == null) {
                file = opening.get();
            }
            file.doAppend(event);
        }

        @Override
        public synchronized void stop() {
            // Under the lock append() holds: a first event during stop() must not open a file nobody closes.
            if (file != null) {
                file.stop();
            }
            super.stop();
        }
    }
}

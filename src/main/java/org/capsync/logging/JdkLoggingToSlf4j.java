package org.capsync.logging;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.LogManager;
import java.util.logging.Logger;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * JDK logging's configuration (the PostgreSQL driver logs through it) while capsync runs: everything at WARNING and
 * above to SLF4J, that is to the job's log, as Spring Boot does. Named by {@code java.util.logging.config.class}, so
 * the JDK builds it only when something first uses JDK logging; a command that does not (every history command on an H2
 * repository) never starts JDK logging at all. WARNING matches capsync's root level, so JDK loggers do not build
 * records that nobody writes.
 */
public final class JdkLoggingToSlf4j {

    public JdkLoggingToSlf4j() {
        try {
            LogManager.getLogManager().readConfiguration(
                    new ByteArrayInputStream(".level=WARNING\n".getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Added here rather than named in the configuration: the JDK looks for configured handlers on the system class
        // path only, where Spring Boot's executable jar does not put them.
        Logger.getLogger("").addHandler(new SLF4JBridgeHandler());
    }

    /** Makes this the JDK's logging configuration, unless the JVM was given one of its own. */
    static void chooseUnlessConfigured() {
        if (System.getProperty("java.util.logging.config.class") == null
                && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.config.class", JdkLoggingToSlf4j.class.getName());
        }
    }
}

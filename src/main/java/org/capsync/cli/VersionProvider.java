package org.capsync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code capsync --version}: capsync's version, the commit it was built from (git.properties, written by the build in a
 * git checkout) and when it was built (build-info.properties, every Maven build), and what it runs on — what a bug
 * report needs. Read from the build's files: asking Spring Batch would load it, which this command has no use for.
 */
class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        Properties git = properties("/git.properties");
        Properties build = properties("/META-INF/build-info.properties");
        String version = git.getProperty("git.build.version", build.getProperty("build.version",
                CapsyncCommand.class.getPackage().getImplementationVersion()));
        String commit = git.getProperty("git.commit.id.abbrev");
        String source = commit == null
                ? "commit unknown (built outside a git checkout)"
                : "commit " + commit + " of " + git.getProperty("git.commit.time", "?")
                        + ("true".equals(git.getProperty("git.dirty")) ? ", with uncommitted changes" : "");
        return new String[] {
            "capsync " + (version == null ? "(development build)" : version) + ", " + source + ", built " + buildTime(build),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                    + System.getProperty("java.home") + ")",
            "Spring Batch " + build.getProperty("build.spring-batch.version", "?") + ", Spring Boot "
                    + build.getProperty("build.spring-boot.version", "?") + ", picocli " + CommandLine.VERSION
        };
    }

    /** build-info's instant, to the minute in UTC (one form for every site, whatever its time zone). */
    private static String buildTime(Properties build) {
        String time = build.getProperty("build.time");
        if (time == null) {
            return "at an unknown time (classes not built by Maven)";
        }
        try {
            return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(Instant.parse(time));
        } catch (DateTimeParseException e) {
            return time;
        }
    }

    private static Properties properties(String resource) {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(resource)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}

package org.capsync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import org.springframework.batch.core.SpringBatchVersion;
import org.springframework.boot.SpringBootVersion;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code capsync --version}: capsync's version and the commit it was built from (git.properties, written by the build
 * in a git checkout), and what it runs on — what a bug report needs.
 */
class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        Properties git = gitProperties();
        String version = git.getProperty("git.build.version", CapsyncCommand.class.getPackage().getImplementationVersion());
        String commit = git.getProperty("git.commit.id.abbrev");
        String built = commit == null
                ? "commit unknown (built outside a git checkout)"
                : "commit " + commit + " of " + git.getProperty("git.commit.time", "?")
                        + ("true".equals(git.getProperty("git.dirty")) ? ", with uncommitted changes" : "");
        return new String[] {
            "capsync " + (version == null ? "(development build)" : version) + ", " + built,
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                    + System.getProperty("java.home") + ")",
            "Spring Batch " + SpringBatchVersion.getVersion() + ", Spring Boot " + SpringBootVersion.getVersion()
                    + ", picocli " + CommandLine.VERSION
        };
    }

    private static Properties gitProperties() {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/git.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}

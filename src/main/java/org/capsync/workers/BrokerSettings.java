package org.capsync.workers;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.capsync.definition.DefinitionException;

/**
 * Where the broker is and who capsync logs on as: {@code CAPSYNC_BROKER_URL}, and {@code CAPSYNC_BROKER_USER} /
 * {@code CAPSYNC_BROKER_PASSWORD} or a {@code CAPSYNC_BROKER_CREDENTIALS} file ({@code user=}, {@code password=},
 * readable by its owner only). The password is never part of {@link #toString()}, a log line or a message.
 */
public record BrokerSettings(String url, String user, String password) {

    public static final String ENV_URL = "CAPSYNC_BROKER_URL";
    public static final String ENV_USER = "CAPSYNC_BROKER_USER";
    public static final String ENV_PASSWORD = "CAPSYNC_BROKER_PASSWORD";
    public static final String ENV_CREDENTIALS = "CAPSYNC_BROKER_CREDENTIALS";

    private static final Set<PosixFilePermission> NOT_OWNER = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    /**
     * The settings in {@code env}, or empty when {@code CAPSYNC_BROKER_URL} is not set.
     *
     * @throws DefinitionException (exit 2) when the credentials file is missing, malformed or readable by others
     */
    public static Optional<BrokerSettings> fromEnvironment(Map<String, String> env) {
        String url = blankToNull(env.get(ENV_URL));
        if (url == null) {
            return Optional.empty();
        }
        String credentials = blankToNull(env.get(ENV_CREDENTIALS));
        if (credentials != null) {
            Properties file = read(Path.of(credentials));
            return Optional.of(new BrokerSettings(url, file.getProperty("user", ""), file.getProperty("password", "")));
        }
        return Optional.of(new BrokerSettings(url, env.getOrDefault(ENV_USER, ""), env.getOrDefault(ENV_PASSWORD, "")));
    }

    /** The URL without any user information, for messages. */
    public String where() {
        return url.replaceAll("//[^/@]*@", "//");
    }

    @Override
    public String toString() {
        return "broker " + where() + " as " + (user.isEmpty() ? "(no user)" : user);
    }

    private static Properties read(Path file) {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        try {
            if (posix != null && posix.readAttributes().permissions().stream().anyMatch(NOT_OWNER::contains)) {
                throw new DefinitionException(file, "broker credentials file is readable or writable by group or others; "
                        + "make it readable by its owner only (chmod 600)");
            }
            Properties properties = new Properties();
            properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            if (properties.getProperty("user", "").isBlank()) {
                throw new DefinitionException(file, "broker credentials file has no user= line");
            }
            return properties;
        } catch (NoSuchFileException e) {
            throw new DefinitionException(file, "broker credentials file not found");
        } catch (IOException e) {
            throw new DefinitionException(file, "broker credentials file cannot be read: " + e.getClass().getSimpleName());
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}

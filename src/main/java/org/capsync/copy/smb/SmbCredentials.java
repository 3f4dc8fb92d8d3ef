package org.capsync.copy.smb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.capsync.definition.DefinitionException;
import org.capsync.definition.JobDefinition;

/**
 * Who capsync logs on to SMB servers as. From the job's {@code credentials:} file (lines {@code domain=},
 * {@code user=}, {@code password=}; readable by its owner only), else from the environment variables
 * {@code CAPSYNC_SMB_USER}, {@code CAPSYNC_SMB_PASSWORD}, {@code CAPSYNC_SMB_DOMAIN}, else guest. The password is never
 * part of {@link #toString()}, a log line or an exception message.
 *
 * @param source where the credentials came from, for messages ("credentials file X", "environment", "guest")
 */
public record SmbCredentials(String domain, String user, String password, String source) {

    public static final String ENV_USER = "CAPSYNC_SMB_USER";
    public static final String ENV_PASSWORD = "CAPSYNC_SMB_PASSWORD";
    public static final String ENV_DOMAIN = "CAPSYNC_SMB_DOMAIN";

    public static final SmbCredentials GUEST = new SmbCredentials("", "", "", "guest");

    private static final List<String> KEYS = List.of("domain", "user", "password");
    private static final Set<PosixFilePermission> NOT_OWNER = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    public SmbCredentials {
        domain = domain == null ? "" : domain;
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /**
     * The credentials a job runs with: its credentials file if it names one, else the environment, else guest.
     *
     * @throws DefinitionException (exit 2) naming the file when it is missing, malformed or readable by others
     */
    public static SmbCredentials resolve(JobDefinition job, Map<String, String> env) {
        Path file = job.options().credentials();
        if (file != null) {
            return fromFile(file);
        }
        String user = blankToNull(env.get(ENV_USER));
        if (user == null) {
            if (blankToNull(env.get(ENV_PASSWORD)) != null) {
                throw new DefinitionException(job.file(), ENV_PASSWORD + " is set but " + ENV_USER + " is not");
            }
            return GUEST;
        }
        return withDomainFromUser(env.getOrDefault(ENV_DOMAIN, ""), user, env.getOrDefault(ENV_PASSWORD, ""),
                "environment " + ENV_USER);
    }

    /** From the environment variables alone (a worker has no job file), else guest. */
    public static SmbCredentials fromEnvironment(Map<String, String> env) {
        String user = blankToNull(env.get(ENV_USER));
        if (user == null) {
            if (blankToNull(env.get(ENV_PASSWORD)) != null) {
                throw new DefinitionException(Path.of("environment"), ENV_PASSWORD + " is set but " + ENV_USER + " is not");
            }
            return GUEST;
        }
        return withDomainFromUser(env.getOrDefault(ENV_DOMAIN, ""), user, env.getOrDefault(ENV_PASSWORD, ""),
                "environment " + ENV_USER);
    }

    /** Reads a credentials file after checking that nobody but its owner can read it. */
    public static SmbCredentials fromFile(Path file) {
        refuseIfOthersCanRead(file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DefinitionException(file, "credentials file not found");
        } catch (IOException e) {
            throw new DefinitionException(file, "credentials file cannot be read: " + e.getClass().getSimpleName());
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        Map<String, String> values = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new DefinitionException(file, i + 1, "expected key=value (keys: domain, user, password)");
            }
            String key = line.substring(0, equals).strip();
            if (!KEYS.contains(key)) {
                // The key is not repeated: a password line that lost its 'password=' would put the password here.
                throw new DefinitionException(file, i + 1, "unknown key (keys: domain, user, password)");
            }
            if (values.containsKey(key)) {
                throw new DefinitionException(file, i + 1, "key '" + key + "' given twice");
            }
            // The password is taken exactly as written after '=' (spaces and '\' included); names are trimmed.
            String value = line.substring(equals + 1);
            values.put(key, key.equals("password") ? value : value.strip());
        }
        String user = blankToNull(values.get("user"));
        if (user == null) {
            throw new DefinitionException(file, "credentials file has no user= line");
        }
        if (!values.containsKey("password")) {
            throw new DefinitionException(file, "credentials file has no password= line");
        }
        return withDomainFromUser(values.getOrDefault("domain", ""), user, values.get("password"), "credentials file " + file);
    }

    private static void refuseIfOthersCanRead(Path file) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            // No POSIX permissions here (Windows): the file's ACL is the administrator's to set.
            return;
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = view.readAttributes().permissions();
        } catch (NoSuchFileException e) {
            throw new DefinitionException(file, "credentials file not found");
        } catch (IOException e) {
            throw new DefinitionException(file, "credentials file cannot be read: " + e.getClass().getSimpleName());
        }
        if (permissions.stream().anyMatch(NOT_OWNER::contains)) {
            throw new DefinitionException(file, "credentials file is readable or writable by group or others (mode "
                    + PosixFilePermissions.toString(permissions) + "): make it the owner's only, e.g. chmod 600 " + file);
        }
    }

    /** Accepts <code>DOMAIN&#92;user</code> in the user field when no separate domain is given. */
    private static SmbCredentials withDomainFromUser(String domain, String user, String password, String source) {
        String d = domain == null ? "" : domain.strip();
        String u = user.strip();
        int backslash = u.indexOf('\\');
        if (d.isEmpty() && backslash > 0) {
            d = u.substring(0, backslash);
            u = u.substring(backslash + 1);
        }
        return new SmbCredentials(d, u, password, source);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    public boolean isGuest() {
        return user.isEmpty();
    }

    /** <code>DOMAIN&#92;user</code>, {@code user} or {@code guest}: how messages name the account, never with its password. */
    public String account() {
        if (isGuest()) {
            return "guest";
        }
        return domain.isEmpty() ? user : domain + "\\" + user;
    }

    @Override
    public String toString() {
        return "SmbCredentials[" + account() + " from " + source + "]";
    }
}

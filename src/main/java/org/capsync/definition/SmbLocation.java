package org.capsync.definition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where an {@code smb://HOST[:PORT]/SHARE[/FOLDER...]} CAP lives. Names are taken as written (no percent-decoding), so
 * an administrator can paste a share name with spaces. User info ({@code smb://user:pass@host/...}) is refused:
 * credentials never belong in the CAP list.
 *
 * @param folder folder inside the share, segments joined with {@code \}, or empty for the share's root
 */
public record SmbLocation(String host, int port, String share, String folder) {

    public static final int DEFAULT_PORT = 445;
    private static final String SCHEME = "smb://";

    public static boolean isSmb(String capPath) {
        return capPath.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * Reads a CAP path. The message of the exception never repeats the path, which might carry a password someone
     * typed into the CAP list by mistake.
     */
    public static SmbLocation parse(String capPath) {
        if (!isSmb(capPath)) {
            throw new IllegalArgumentException("not an smb:// path");
        }
        String rest = capPath.substring(SCHEME.length()).replace('\\', '/');
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (authority.contains("@")) {
            throw new IllegalArgumentException("smb:// path must not carry a user or password (use the job's credentials file)");
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("smb:// path has an unclosed '[' in its host");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("smb:// path: expected ':PORT' after the host");
                }
                portText = after.substring(1);
            }
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("smb:// path has no host (expected smb://HOST[:PORT]/SHARE[/FOLDER])");
        }
        int port = port(portText);
        List<String> segments = new ArrayList<>();
        if (slash >= 0) {
            for (String segment : rest.substring(slash + 1).split("/")) {
                if (segment.isEmpty()) {
                    continue;
                }
                if (segment.equals("..") || segment.equals(".")) {
                    throw new IllegalArgumentException("smb:// path must not contain '.' or '..' segments");
                }
                segments.add(segment);
            }
        }
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("smb:// path names no share (expected smb://HOST[:PORT]/SHARE[/FOLDER])");
        }
        return new SmbLocation(host.toLowerCase(Locale.ROOT), port, segments.get(0),
                String.join("\\", segments.subList(1, segments.size())));
    }

    private static int port(String text) {
        if (text == null) {
            return DEFAULT_PORT;
        }
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("smb:// path has a bad port (expected 1 to 65535)");
    }

    /** {@code smb://host:port}: one SMB session serves every CAP on it. */
    public String server() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return SCHEME + h + (port == DEFAULT_PORT ? "" : ":" + port);
    }

    /** {@code smb://host:port/share}, for messages about the share as a whole. */
    public String describeShare() {
        return server() + "/" + share;
    }

    /** A path inside the share, below this CAP's folder: segments may use {@code /} or {@code \}. */
    public String pathInShare(String... below) {
        StringBuilder path = new StringBuilder(folder);
        for (String part : below) {
            if (part == null || part.isEmpty()) {
                continue;
            }
            if (!path.isEmpty()) {
                path.append('\\');
            }
            path.append(part.replace('/', '\\'));
        }
        return path.toString();
    }

    /** {@code smb://host:port/share/path} for a path inside the share, for messages. */
    public String describe(String pathInShare) {
        return describeShare() + (pathInShare.isEmpty() ? "" : "/" + pathInShare.replace('\\', '/'));
    }
}

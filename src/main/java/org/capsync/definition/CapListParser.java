package org.capsync.definition;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.capsync.definition.SmbLocation;

/**
 * Reads a CAP list: CSV with a header {@code name,path} (optional {@code enabled} and {@code region}), {@code #} comments and blank
 * lines, UTF-8 with or without BOM, LF or CRLF. CAP names are unique, ignoring case, as share names are on Windows.
 *
 * <p>Two enabled CAPs must not be one folder: their writers would work on the same files at once. Refused here are the
 * duplicates that can be proven from the list and this machine: the same path written two ways (a trailing slash,
 * {@code .} or {@code ..} segments), a folder that exists reached through two paths (links, bind mounts: the same
 * device and inode), and {@code smb://} or UNC paths differing only in case (SMB names are case-insensitive). A folder
 * reached once through {@code smb://} and once through a mount of that share cannot be proven the same here; the copy
 * itself keeps such writers apart (unique temp names per attempt).
 */
public final class CapListParser {

    private static final List<String> COLUMNS = List.of("name", "path", "enabled", "region");
    /** A region names a queue on the broker: kept to characters every broker and file name accepts. */
    private static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setCommentMarker('#')
            .setIgnoreEmptyLines(true)
            .setIgnoreSurroundingSpaces(true)
            .get();

    public CapList parse(Path capsFile) {
        Path file = capsFile.toAbsolutePath().normalize();
        String text = TextFile.read(file, "CAP list");
        LineIndex lines = new LineIndex(text);
        List<Cap> caps = new ArrayList<>();
        Map<String, Cap> byName = new HashMap<>();
        Map<String, Cap> byFolder = new HashMap<>();
        Map<String, Integer> columns = null;
        try (CSVParser parser = CSVParser.parse(new StringReader(text), FORMAT)) {
            for (CSVRecord record : parser) {
                int line = lines.lineAt(record.getCharacterPosition());
                if (columns == null) {
                    columns = header(file, line, record);
                    continue;
                }
                Cap cap = cap(file, line, record, columns);
                Cap previous = byName.putIfAbsent(cap.name().toLowerCase(Locale.ROOT), cap);
                if (previous != null) {
                    throw new DefinitionException(file, line,
                            "duplicate CAP name '" + cap.name() + "' (already on line " + previous.line() + ")");
                }
                if (cap.enabled()) {
                    Cap same = byFolder.putIfAbsent(folderKey(cap.path()), cap);
                    if (same != null) {
                        throw new DefinitionException(file, line, "CAP '" + cap.name() + "' is the same folder as CAP '"
                                + same.name() + "' (" + file + ":" + same.line() + "); two CAPs writing one folder would"
                                + " work on the same files at once: remove or disable one");
                    }
                }
                caps.add(cap);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            // Commons CSV wraps its own exception: its message, not its class name.
            Throwable cause = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
            throw new DefinitionException(file, 0, "not valid CSV: " + cause.getMessage());
        }
        if (columns == null) {
            throw new DefinitionException(file, 1, "CAP list is empty: expected a header line 'name,path' and one line per CAP");
        }
        if (caps.isEmpty()) {
            throw new DefinitionException(file, lines.count(), "CAP list has a header but no CAPs");
        }
        return new CapList(file, caps);
    }

    private static Map<String, Integer> header(Path file, int line, CSVRecord record) {
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < record.size(); i++) {
            String column = record.get(i).trim().toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(column)) {
                if (!columns.containsKey("name") && i == 0) {
                    throw new DefinitionException(file, line,
                            "header line 'name,path' missing (first line is '" + String.join(",", record.toList()) + "')");
                }
                throw new DefinitionException(file, line,
                        "unknown column '" + record.get(i).trim() + "' (columns: name, path, enabled, region)");
            }
            if (columns.put(column, i) != null) {
                throw new DefinitionException(file, line, "column '" + column + "' given twice");
            }
        }
        for (String required : List.of("name", "path")) {
            if (!columns.containsKey(required)) {
                throw new DefinitionException(file, line, "header has no '" + required + "' column (expected 'name,path')");
            }
        }
        return columns;
    }

    private static Cap cap(Path file, int line, CSVRecord record, Map<String, Integer> columns) {
        if (record.size() > columns.size()) {
            throw new DefinitionException(file, line, "more fields than the header has columns");
        }
        String name = field(record, columns.get("name"));
        String path = field(record, columns.get("path"));
        String enabled = columns.containsKey("enabled") ? field(record, columns.get("enabled")) : "";
        String region = columns.containsKey("region") ? field(record, columns.get("region")) : "";
        if (name.isEmpty()) {
            throw new DefinitionException(file, line, "CAP name is blank");
        }
        if (name.chars().anyMatch(c -> c < 0x20 || c == '/' || c == '\\')) {
            throw new DefinitionException(file, line, "CAP name '" + name + "' has a control character or a slash");
        }
        if (path.isEmpty()) {
            throw new DefinitionException(file, line, "CAP '" + name + "' has no path");
        }
        if (SmbLocation.isSmb(path)) {
            try {
                SmbLocation.parse(path);
            } catch (IllegalArgumentException e) {
                // The message names the line, not the path: a mistyped smb://user:password@ must not be echoed.
                throw new DefinitionException(file, line, "CAP '" + name + "': " + e.getMessage());
            }
        }
        checkRecordable(file, line, name, path);
        if (region.isEmpty()) {
            region = Cap.DEFAULT_REGION;
        } else if (!REGION.matcher(region).matches()) {
            throw new DefinitionException(file, line,
                    "CAP '" + name + "': region '" + region + "' must be letters, digits, '.', '_' or '-' (at most 64)");
        }
        return new Cap(name, path, enabled(file, line, enabled), line, region);
    }

    /** What identifies a CAP's folder: equal keys are provably one folder (see the class comment). */
    static String folderKey(String capPath) {
        if (SmbLocation.isSmb(capPath)) {
            SmbLocation location = SmbLocation.parse(capPath);
            String inShare = location.folder().isEmpty() ? location.share() : location.share() + "\\" + location.folder();
            return "smb://" + location.host() + ":" + location.port() + "/" + inShare.toLowerCase(Locale.ROOT);
        }
        boolean windows = java.io.File.separatorChar == '\\';
        if (capPath.startsWith("\\\\") || (windows && capPath.startsWith("//"))) {
            return "unc://" + normalizeSegments(capPath.substring(2).replace('\\', '/')).toLowerCase(Locale.ROOT);
        }
        Path path;
        try {
            path = Path.of(capPath);
        } catch (java.nio.file.InvalidPathException e) {
            return "path:" + capPath;
        }
        try {
            java.nio.file.attribute.BasicFileAttributes attributes =
                    java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
            return attributes.fileKey() != null ? "file:" + attributes.fileKey() : "real:" + path.toRealPath();
        } catch (IOException | SecurityException e) {
            // not there (yet), or not reachable now: compared as written
        }
        String normal = path.normalize().toString();
        return "path:" + (windows ? normal.toLowerCase(Locale.ROOT) : normal);
    }

    /** {@code host/share/a/./b/../c/} as {@code host/share/a/c}: never above the share. */
    private static String normalizeSegments(String path) {
        java.util.Deque<String> segments = new java.util.ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (segments.size() > 2) {
                    segments.removeLast();
                }
                continue;
            }
            segments.addLast(segment);
        }
        return String.join("/", segments);
    }

    /**
     * What the run would otherwise refuse only later, on every restart: a name or path longer than the repository's
     * columns, and a relative path, which would depend on the folder capsync happens to be started from.
     */
    private static void checkRecordable(Path file, int line, String name, String path) {
        if (name.length() > Cap.MAX_NAME_LENGTH) {
            throw new DefinitionException(file, line, "CAP name is " + name.length() + " characters long; at most "
                    + Cap.MAX_NAME_LENGTH + " are recorded");
        }
        // The path is not echoed: an smb:// URL may hold a password.
        if (path.length() > Cap.MAX_PATH_LENGTH) {
            throw new DefinitionException(file, line, "CAP '" + name + "': path is " + path.length()
                    + " characters long; at most " + Cap.MAX_PATH_LENGTH + " are recorded");
        }
        if (path.chars().anyMatch(Character::isISOControl)) {
            throw new DefinitionException(file, line, "CAP '" + name + "': path has a control character");
        }
        boolean absolute = SmbLocation.isSmb(path) || path.startsWith("/") || path.startsWith("\\")
                || path.matches("^[A-Za-z]:[\\\\/].*");
        if (!absolute) {
            throw new DefinitionException(file, line, "CAP '" + name + "': path '" + path + "' is relative; give the full"
                    + " path (/mnt/cap_xyz, \\\\SERVER\\CAP_XYZ, C:\\caps\\xyz or smb://SERVER/SHARE)");
        }
    }

    private static boolean enabled(Path file, int line, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "", "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new DefinitionException(file, line, "enabled must be true or false, not '" + value + "'");
        };
    }

    private static String field(CSVRecord record, int index) {
        return index < record.size() ? record.get(index).trim() : "";
    }

    /** Maps a character offset to its 1-based line, so records can be reported by line even around comments. */
    private static final class LineIndex {
        private final List<Integer> starts = new ArrayList<>();
        private final String text;

        LineIndex(String text) {
            this.text = text;
            starts.add(0);
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    starts.add(i + 1);
                }
            }
        }

        /** The line of the record that starts at {@code position}: comment and blank lines before it are passed over. */
        int lineAt(long position) {
            int index = java.util.Collections.binarySearch(starts, (int) position);
            int line = index >= 0 ? index + 1 : -index - 1;
            while (line < starts.size() && skippable(line)) {
                line++;
            }
            return line;
        }

        private boolean skippable(int line) {
            int from = starts.get(line - 1);
            int to = line < starts.size() ? starts.get(line) : text.length();
            String content = text.substring(from, to).strip();
            return content.isEmpty() || content.startsWith("#");
        }

        int count() {
            return starts.size();
        }
    }
}

package org.capsync.definition;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Resolves a job's {@code files} (names or globs) against its source folder before anything is copied, so a missing
 * or unreadable source is exit 2 with nothing touched.
 */
public final class SourceFiles {

    /** What org.capsync.copy writes at a CAP besides the files: TargetFile's temp files, LockToken's token. */
    private static final String TEMP_SUFFIX = ".capsync-tmp";
    private static final String LOCK_TOKEN = "Inboxlck.tok";

    private SourceFiles() {
    }

    /** The matching regular files, sorted by name; each glob must match at least one. */
    public static List<Path> resolve(JobDefinition job) {
        Path source = job.source();
        if (!Files.isDirectory(source)) {
            throw new DefinitionException(job.file(), job.lineOf("source"), "source folder " + source + " does not exist or is not a folder");
        }
        TreeSet<Path> matched = new TreeSet<>();
        for (String pattern : job.files()) {
            PathMatcher matcher = source.getFileSystem().getPathMatcher("glob:" + pattern);
            List<Path> hits = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(source)) {
                for (Path entry : entries) {
                    if (matcher.matches(entry.getFileName()) && Files.isRegularFile(entry)) {
                        hits.add(entry);
                    }
                }
            } catch (IOException e) {
                throw new DefinitionException(job.file(), job.lineOf("source"),
                        "source folder " + source + " cannot be listed: " + FileSystemReason.of(e, source));
            }
            if (hits.isEmpty()) {
                // A name, not a glob, that is there but is no file: say what it is.
                java.util.Optional<String> what = pattern.chars().anyMatch(c -> "*?[]{}\\".indexOf(c) >= 0)
                        ? java.util.Optional.empty() : FileSystemReason.notAFile(source.resolve(pattern));
                throw new DefinitionException(job.file(), job.lineOf("files"), what.isPresent()
                        ? "source file " + source.resolve(pattern) + " is " + what.get() + ", not a file"
                        : "files: '" + pattern + "' matches no file in " + source);
            }
            matched.addAll(hits);
        }
        for (Path file : matched) {
            String name = file.getFileName().toString();
            if (name.toLowerCase(java.util.Locale.ROOT).endsWith(TEMP_SUFFIX) || name.equalsIgnoreCase(LOCK_TOKEN)) {
                throw new DefinitionException(job.file(), job.lineOf("files"), "source file " + file + " has a name capsync "
                        + "uses for its own files at a CAP (temp files ending in " + TEMP_SUFFIX + ", the lock token "
                        + LOCK_TOKEN + "), which it would take for its own there");
            }
            if (name.indexOf('\uFFFD') >= 0 || name.chars().anyMatch(Character::isISOControl)) {
                throw new DefinitionException(job.file(), job.lineOf("files"), "source file " + file + " has a name that is "
                        + "not plain text in this system's encoding (a control character, or bytes it cannot read as "
                        + "characters): it would reach the CAPs under another name");
            }
            if (!Files.isReadable(file)) {
                throw new DefinitionException(job.file(), job.lineOf("files"), "source file " + file + " is not readable");
            }
        }
        return List.copyOf(matched);
    }
}

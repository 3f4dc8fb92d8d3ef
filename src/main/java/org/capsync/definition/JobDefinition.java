package org.capsync.definition;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A validated job file: which files of which source folder go to which folder of every CAP in the CAP list.
 *
 * @param file    the job file itself
 * @param files   names or globs inside {@code source}
 * @param target  folder inside each CAP, relative, never escaping it
 * @param lines   line of each top-level key, for messages
 */
public record JobDefinition(
        Path file,
        String name,
        Path source,
        List<String> files,
        Path caps,
        String target,
        RetrySettings retry,
        int threads,
        Map<String, Integer> lines) {

    public JobDefinition {
        files = List.copyOf(files);
        lines = Map.copyOf(lines);
    }

    public JobDefinition withThreads(int threads) {
        return new JobDefinition(file, name, source, files, caps, target, retry, threads, lines);
    }

    /** The line of a top-level key in the job file (0 if absent), so later checks can still name it. */
    public int lineOf(String key) {
        return lines.getOrDefault(key, 0);
    }
}

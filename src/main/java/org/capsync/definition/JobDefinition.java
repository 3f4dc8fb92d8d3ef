package org.capsync.definition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A validated job file: which files of which source folder go to which folder of every CAP in the CAP list.
 *
 * @param file    the job file itself
 * @param files   names or globs inside {@code source}
 * @param target  folder inside each CAP, relative, never escaping it
 * @param options optional keys (SMB credentials, lock token, monitoring)
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
        Options options,
        Map<String, Integer> lines) {

    public JobDefinition {
        files = List.copyOf(files);
        lines = Map.copyOf(lines);
    }

    public JobDefinition withThreads(int threads) {
        return new JobDefinition(file, name, source, files, caps, target, retry, threads, options, lines);
    }

    /**
     * The optional keys of a job file.
     *
     * @param credentials SMB credentials file (owner-readable only), or null for environment variables or guest
     * @param lockToken   write SMS's {@code Inboxlck.tok} in the target folder while updating it
     * @param metricsDir  where to write the Prometheus textfile-collector {@code .prom} file, or null
     * @param onFailure   command run when the job fails, or null
     * @param onSkips     command run when the job completes with CAPs not current, or null
     * @param smbConnections connections per SMB server, or null for the default that goes with {@code threads}
     * @param workers     the job's partitions run on {@code capsync worker} processes, through the broker
     * @param workerTimeout how long a region may wait for a worker, and a worker may go without recording progress
     */
    public record Options(Path credentials, boolean lockToken, Path metricsDir, String onFailure, String onSkips,
            Integer smbConnections, boolean workers, Duration workerTimeout) {

        public static final Duration DEFAULT_WORKER_TIMEOUT = Duration.ofMinutes(2);
        public static final Options NONE = new Options(null, false, null, null, null);

        public Options(Path credentials, boolean lockToken, Path metricsDir, String onFailure, String onSkips) {
            this(credentials, lockToken, metricsDir, onFailure, onSkips, null, false, DEFAULT_WORKER_TIMEOUT);
        }
    }

    /**
     * Connections per SMB server: the job file's {@code smb-connections}, else one per four threads, at most four. A
     * connection serves many threads at once (requests are multiplexed); a few spread the work over several server
     * processes and client reader threads, while each costs a logon.
     */
    public int smbConnections() {
        return options.smbConnections() != null ? options.smbConnections() : Math.min(4, (threads + 3) / 4);
    }

    /** The line of a top-level key in the job file (0 if absent), so later checks can still name it. */
    public int lineOf(String key) {
        return lines.getOrDefault(key, 0);
    }
}

package org.capsync.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.capsync.definition.FileSystemReason;

/** Finds a job file from what the administrator typed: a path, or a name resolved as {@code jobs/NAME.yml}. */
final class JobFiles {

    private JobFiles() {
    }

    static Path locate(String job, CliEnvironment environment) {
        Path asGiven = environment.workingDir().resolve(job);
        if (Files.isRegularFile(asGiven)) {
            return asGiven.normalize();
        }
        if (!job.contains("/") && !job.contains("\\") && !job.endsWith(".yml") && !job.endsWith(".yaml")) {
            for (Path base : new Path[] {environment.workingDir(), environment.appHome()}) {
                Path named = base.resolve("jobs").resolve(job + ".yml");
                if (Files.isRegularFile(named)) {
                    return named.normalize();
                }
            }
            throw new UsageException("no job named '" + job + "': neither " + asGiven + " nor jobs/" + job + ".yml exists");
        }
        FileSystemReason.notAFile(asGiven).ifPresent(what -> {
            throw new UsageException("job file " + asGiven + " is " + what + ", not a file");
        });
        throw new UsageException("job file " + asGiven + " not found");
    }

    /**
     * The job name for the history commands: the name inside the job file when {@code job} is a job file path or names
     * one under {@code jobs/}; otherwise {@code job} itself, as the repository knows it (the job file may be gone).
     */
    static String jobName(String job, CliEnvironment environment) {
        try {
            return new org.capsync.definition.JobFileParser().parse(locate(job, environment)).name();
        } catch (UsageException e) {
            if (job.contains("/") || job.contains("\\") || job.endsWith(".yml") || job.endsWith(".yaml")) {
                throw e;
            }
            return job;
        }
    }
}

package org.capsync.cli;

import java.nio.file.Files;
import java.nio.file.Path;

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
        throw new UsageException("job file " + asGiven + " not found");
    }
}

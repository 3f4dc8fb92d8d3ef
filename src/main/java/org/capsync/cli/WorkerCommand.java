package org.capsync.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.capsync.copy.smb.SmbCredentials;
import org.capsync.definition.Cap;
import org.capsync.repository.CapsyncHome;
import org.capsync.workers.BrokerSettings;
import org.capsync.workers.WorkerProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code capsync worker}: copies the partitions of jobs with {@code workers: true} for the regions it serves. */
@Command(name = "worker",
        description = {"Take partitions of jobs that run on workers (workers: true) from the broker and copy them",
                "to the CAPs of the regions served, recording into the shared repository. Runs until SIGTERM,",
                "which hands the partition in flight back after its chunk (exit 0)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  capsync worker                      the CAPs of region 'default'",
            "  capsync worker --region north --region north-east --threads 8",
            "",
            "Needs CAPSYNC_DB_URL (the site server's PostgreSQL repository) and CAPSYNC_BROKER_URL,",
            "with CAPSYNC_BROKER_USER and CAPSYNC_BROKER_PASSWORD or CAPSYNC_BROKER_CREDENTIALS.",
            "SMB credentials: --credentials FILE, else CAPSYNC_SMB_USER / _PASSWORD / _DOMAIN.",
            "Its log: CAPSYNC_HOME/logs/worker.log."})
class WorkerCommand extends Subcommand {

    private static final Pattern REGION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Option(names = "--region", paramLabel = "NAME", description = "a region whose CAPs this worker copies (repeatable; default: default)")
    List<String> regions = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "copy to N CAPs at a time (default: 4)")
    int threads = 4;

    @Option(names = "--credentials", paramLabel = "FILE", description = "SMB credentials file (domain=, user=, password=; owner-readable only)")
    Path credentials;

    WorkerCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || threads > 256) {
            throw new UsageException("--threads must be from 1 to 256, not " + threads);
        }
        List<String> served = regions.isEmpty() ? List.of(Cap.DEFAULT_REGION) : regions.stream().distinct().toList();
        for (String region : served) {
            if (!REGION.matcher(region).matches()) {
                throw new UsageException("--region '" + region + "' must be letters, digits, '.', '_' or '-' (at most 64)");
            }
        }
        BrokerSettings broker = BrokerSettings.fromEnvironment(environment.env())
                .orElseThrow(() -> new UsageException("capsync worker needs a broker: set " + BrokerSettings.ENV_URL));
        CapsyncHome home = environment.home();
        if (!home.repositoryLocation().shared()) {
            throw new UsageException("capsync worker records into the site server's shared repository: set CAPSYNC_DB_URL");
        }
        SmbCredentials smb = credentials != null ? SmbCredentials.fromFile(environment.workingDir().resolve(credentials))
                : SmbCredentials.fromEnvironment(environment.env());
        return WorkerProcess.run(home.ensureExists(), broker, smb, served, threads, environment.out());
    }
}

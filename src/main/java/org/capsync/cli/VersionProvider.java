package org.capsync.cli;

import org.springframework.batch.core.job.Job;
import picocli.CommandLine.IVersionProvider;

/** {@code capsync --version}: capsync's own version and what it runs on. */
class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = CapsyncCommand.class.getPackage().getImplementationVersion();
        String batch = Job.class.getPackage().getImplementationVersion();
        return new String[] {
            "capsync " + (version == null ? "(development build)" : version),
            "Java " + System.getProperty("java.version") + ", Spring Batch " + (batch == null ? "6" : batch)
        };
    }
}

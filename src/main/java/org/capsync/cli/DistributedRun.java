package org.capsync.cli;

import java.util.Map;

import javax.sql.DataSource;

import org.capsync.definition.JobDefinition;
import org.capsync.repository.CapsyncHome;
import org.capsync.run.DistributionJobConfiguration;
import org.capsync.workers.BrokerSettings;
import org.capsync.workers.JobClaim;
import org.capsync.workers.SiteServerConfiguration;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationContext;

/**
 * What {@code capsync run} does differently for a job with {@code workers: true}. A class of its own so that a local
 * run never loads it, nor through it the broker's classes.
 */
final class DistributedRun {

    private DistributedRun() {
    }

    /**
     * Before anything starts: the shared repository and the broker must be set (exit 2 otherwise), and the broker must
     * let capsync in (exit 1, one line).
     */
    static BrokerSettings check(JobDefinition job, Map<String, String> env, CapsyncHome home) {
        if (!home.repositoryLocation().shared()) {
            throw new UsageException(job.file() + ":" + job.lineOf("workers") + ": job '" + job.name()
                    + "' runs on workers (workers: true) and needs the shared repository: set CAPSYNC_DB_URL");
        }
        BrokerSettings broker = BrokerSettings.fromEnvironment(env).orElseThrow(() -> new UsageException(job.file() + ":"
                + job.lineOf("workers") + ": job '" + job.name() + "' runs on workers (workers: true) and needs a broker: set "
                + BrokerSettings.ENV_URL));
        org.capsync.workers.Broker.check(broker);
        return broker;
    }

    static Class<?>[] configurations() {
        return new Class<?>[] {DistributionJobConfiguration.class, SiteServerConfiguration.class};
    }

    static void register(ConfigurableListableBeanFactory beans, Object brokerSettings) {
        beans.registerSingleton("brokerSettings", brokerSettings);
    }

    static AutoCloseable claim(ApplicationContext context, String jobName) throws Exception {
        return JobClaim.claim(context.getBean(DataSource.class), jobName);
    }
}

package org.capsync.workers;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.capsync.copy.CapTransport;
import org.capsync.copy.smb.CapTransports;
import org.capsync.copy.smb.SmbCredentials;
import org.capsync.copy.smb.SmbSessions;
import org.capsync.repository.CapsyncHome;
import org.capsync.run.RemotePartition;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * A worker's beans: the same transports as a local run, with this worker's own SMB credentials (singleton
 * {@code smbCredentials}), and {@code workerThreads} copy threads shared by the partitions it runs.
 */
@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    @Bean(destroyMethod = "close")
    SmbSessions smbSessions(SmbCredentials smbCredentials) {
        return new SmbSessions(smbCredentials);
    }

    @Bean
    List<CapTransport> capTransports(SmbSessions smbSessions) {
        return CapTransports.forJob(smbSessions);
    }

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService copyThreads(Integer workerThreads) {
        return Executors.newFixedThreadPool(workerThreads, runnable -> {
            Thread thread = new Thread(runnable, "capsync-copy");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Bean
    RemotePartition remotePartition(JobRepository repository, PlatformTransactionManager transactionManager, JdbcTemplate jdbc,
            List<CapTransport> capTransports, CapsyncHome home, ExecutorService copyThreads, Integer workerThreads) {
        return new RemotePartition(repository, transactionManager, jdbc, capTransports, home, copyThreads, workerThreads,
                Clock.systemUTC());
    }
}

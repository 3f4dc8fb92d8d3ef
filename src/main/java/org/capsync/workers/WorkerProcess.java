package org.capsync.workers;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.capsync.copy.smb.SmbCredentials;
import org.capsync.logging.JobLogging;
import org.capsync.repository.CapsyncHome;
import org.capsync.repository.ProcessName;
import org.capsync.repository.RepositoryContext;
import org.capsync.run.GracefulStop;
import org.capsync.run.RemotePartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

/**
 * {@code capsync worker}: takes the partitions of its regions from the broker, one at a time per region, and copies them
 * with its own threads and SMB credentials, recording into the shared repository, until SIGTERM. Logs to
 * {@code CAPSYNC_HOME/logs/worker.log}.
 */
public final class WorkerProcess {

    private static final Logger log = LoggerFactory.getLogger("capsync.worker");
    private WorkerProcess() {
    }

    /** Runs until SIGTERM (or Ctrl-C); returns the exit code. */
    public static int run(CapsyncHome home, BrokerSettings broker, SmbCredentials credentials, List<String> regions,
            int threads, PrintWriter out) throws Exception {
        JobLogging.configure(home.logs(), "worker", "WARN");
        Broker.check(broker);
        String me = ProcessName.current();
        try (GracefulStop signals = GracefulStop.install("no new partitions; the partition in flight stops after its chunk "
                + "and goes back to the queue for another worker");
             var context = RepositoryContext.open(home, "worker", threads + regions.size() * 2 + 4, beans -> {
                 beans.registerSingleton("smbCredentials", credentials);
                 beans.registerSingleton("workerThreads", threads);
             }, WorkerConfiguration.class)) {
            CountDownLatch stop = new CountDownLatch(1);
            signals.onSignal(stop::countDown);
            DataSource dataSource = context.getBean(DataSource.class);
            WorkerRegistry registry = new WorkerRegistry(context.getBean(JdbcTemplate.class));
            PartitionRequests requests = new PartitionRequests(context.getBean(JobRepository.class), dataSource,
                    context.getBean(RemotePartition.class), PartitionRequest.repositoryOf(context.getBean(JdbcTemplate.class)),
                    regions);
            registry.beat(me, regions, threads);
            ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "capsync-heartbeat");
                thread.setDaemon(true);
                return thread;
            });
            heartbeat.scheduleWithFixedDelay(() -> {
                try {
                    registry.beat(me, regions, threads);
                } catch (RuntimeException e) {
                    log.warn("heartbeat not recorded: {}", e.getMessage());
                }
            }, WorkerRegistry.HEARTBEAT.toMillis(), WorkerRegistry.HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
            CachingConnectionFactory connections = new CachingConnectionFactory(Broker.connectionFactory(broker));
            connections.setCacheConsumers(false);
            List<DefaultMessageListenerContainer> listeners = new ArrayList<>();
            try {
                for (String region : regions) {
                    DefaultMessageListenerContainer listener = new DefaultMessageListenerContainer();
                    listener.setConnectionFactory(connections);
                    listener.setDestinationName(Broker.queue(region));
                    // Receive and partition in one local transaction: a worker that dies leaves the request unacknowledged.
                    listener.setSessionTransacted(true);
                    listener.setConcurrentConsumers(1);
                    listener.setMaxConcurrentConsumers(1);
                    listener.setReceiveTimeout(1000);
                    listener.setMessageListener(requests);
                    listener.setBeanName("region-" + region);
                    listener.afterPropertiesSet();
                    listener.start();
                    listeners.add(listener);
                }
                log.info("worker {} serving regions {} with {} threads, broker {}", me, regions, threads, broker.where());
                out.println("capsync worker " + me + ": serving regions " + String.join(", ", regions) + " (" + threads
                        + " threads); log in " + home.logs().resolve("worker.log"));
                out.flush();
                stop.await();
                listeners.forEach(DefaultMessageListenerContainer::stop);
                requests.stop();
            } finally {
                // Waits for the partitions in flight to end (or go back to the queue).
                listeners.forEach(DefaultMessageListenerContainer::shutdown);
                connections.destroy();
                heartbeat.shutdownNow();
                registry.leave(me);
            }
            log.info("worker {} stopped", me);
            out.println("capsync worker " + me + ": stopped");
            return 0;
        }
    }
}

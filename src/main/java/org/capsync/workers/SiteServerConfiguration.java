package org.capsync.workers;

import java.time.Clock;

import javax.sql.DataSource;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.capsync.definition.JobDefinition;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.core.JmsTemplate;

/**
 * What {@code capsync run} adds for a job on workers: the partitions go to the broker ({@link RegionPartitionHandler})
 * and a resumed execution waits for partitions live workers still run ({@link PartitionRecoveryGuard}). Needs the
 * singleton {@code brokerSettings}.
 */
@Configuration(proxyBeanMethods = false)
public class SiteServerConfiguration {

    @Bean(destroyMethod = "destroy")
    CachingConnectionFactory brokerConnections(BrokerSettings brokerSettings) {
        ActiveMQConnectionFactory factory = Broker.connectionFactory(brokerSettings);
        return new CachingConnectionFactory(factory);
    }

    @Bean
    JmsTemplate partitionRequests(CachingConnectionFactory brokerConnections) {
        JmsTemplate jms = new JmsTemplate(brokerConnections);
        jms.setExplicitQosEnabled(true);
        jms.setDeliveryPersistent(true);
        return jms;
    }

    @Bean
    PartitionHandler regionPartitionHandler(JobRepository repository, DataSource dataSource, JmsTemplate partitionRequests,
            JdbcTemplate jdbc, JobDefinition job) {
        return new RegionPartitionHandler(repository, dataSource, partitionRequests, new WorkerRegistry(jdbc),
                job.options().workerTimeout(), Clock.systemUTC(), PartitionRequest.repositoryOf(jdbc));
    }

    @Bean
    PartitionRecoveryGuard partitionRecoveryGuard(DataSource dataSource) {
        return new PartitionRecoveryGuard(dataSource);
    }
}

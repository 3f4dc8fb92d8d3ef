package org.capsync.workers;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * The connection to the broker that the site server and the workers share: a partition request is a small text
 * message on the queue {@code capsync.partitions.REGION}.
 */
public final class Broker {

    static final String QUEUE_PREFIX = "capsync.partitions.";

    private Broker() {
    }

    static String queue(String region) {
        return QUEUE_PREFIX + region;
    }

    /**
     * A connection factory that buffers nothing on the consumer side (a busy worker must not hold requests another
     * worker could take) and never deserializes Java objects.
     */
    static ActiveMQConnectionFactory connectionFactory(BrokerSettings settings) {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(settings.url(), settings.user(), settings.password());
        factory.setConsumerWindowSize(0);
        factory.setReconnectAttempts(-1);
        factory.setRetryInterval(1000);
        factory.setMaxRetryInterval(5000);
        factory.setCallTimeout(10_000);
        factory.setDeserializationDenyList("*");
        return factory;
    }

    /** Connects once, so that a wrong password or an unreachable broker is one clear line before anything starts. */
    public static void check(BrokerSettings settings) {
        ActiveMQConnectionFactory probe = new ActiveMQConnectionFactory(settings.url(), settings.user(), settings.password());
        probe.setReconnectAttempts(0);
        probe.setInitialConnectAttempts(3);
        probe.setRetryInterval(500);
        try (probe; Connection connection = probe.createConnection()) {
            connection.getMetaData();
        } catch (JMSSecurityException e) {
            throw new Unavailable("the broker at " + settings.where() + " refused user '" + settings.user()
                    + "' (wrong CAPSYNC_BROKER_USER or password); nothing was copied");
        } catch (JMSException | RuntimeException e) {
            throw new Unavailable("cannot connect to the broker at " + settings.where() + ": " + firstLine(e.getMessage())
                    + "; nothing was copied");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    /** The broker cannot be used: one line, exit 1 (the CLI prints an UncheckedIOException's message alone). */
    public static final class Unavailable extends java.io.UncheckedIOException {
        Unavailable(String message) {
            super(message, new java.io.IOException(message));
        }
    }
}

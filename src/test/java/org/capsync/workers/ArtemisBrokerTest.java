package org.capsync.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.capsync.support.ArtemisBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test broker that the workers' tests stand on: a real Artemis process that only lets its user in. */
class ArtemisBrokerTest {

    static ArtemisBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = ArtemisBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aMessageSentWithTheBrokersCredentialsIsReceivedFromItsQueue() throws Exception {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url(), broker.user(), broker.password());
             Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue queue = session.createQueue("capsync.smoke");
            session.createProducer(queue).send(session.createTextMessage("partition 1 of region north"));
            connection.start();
            MessageConsumer consumer = session.createConsumer(queue);

            Message received = consumer.receive(10_000);

            assertThat(received).isInstanceOf(TextMessage.class);
            assertThat(((TextMessage) received).getText()).isEqualTo("partition 1 of region north");
            assertThat(consumer.receiveNoWait()).as("delivered once").isNull();
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url(), broker.user(), "not-the-password")) {
            assertThatThrownBy(() -> factory.createConnection().close()).isInstanceOf(JMSSecurityException.class);
        }
    }
}

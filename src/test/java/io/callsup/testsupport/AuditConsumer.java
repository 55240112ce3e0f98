package io.callsup.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A billing-style consumer of the audit address: its own connection, a durable subscription with a
 * selector, and a transacted session committed after every message (so an acknowledgement is never
 * lost across a broker restart and a duplicate seen here is a real duplicate).
 */
public final class AuditConsumer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One received message: body, parsed body and the JMS properties that matter. */
    public record Received(String body, JsonNode json, Map<String, Object> properties, int deliveryMode,
                           boolean redelivered) {
        public String id() {
            return json.path("id").asText();
        }

        public String type() {
            return json.path("type").asText();
        }

        public String shortType() {
            return type().substring(type().lastIndexOf('.') + 1);
        }

        public String sessionId() {
            return json.path("subject").asText(null);
        }

        public int sequence() {
            return json.path("data").path("sequence").asInt(-1);
        }
    }

    private final String url;
    private final String address;
    private final String selector;
    private final String clientId = "audit-test-" + UUID.randomUUID();
    private final String subscription = "sub-" + UUID.randomUUID();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private Connection connection;
    private Session session;
    private MessageConsumer consumer;

    private AuditConsumer(String url, String address, String selector) {
        this.url = url;
        this.address = address;
        this.selector = selector;
    }

    /** Subscribes to the service's audit address on the test broker, e.g. with "customerId = 42". */
    public static AuditConsumer subscribe(String selector) throws JMSException {
        var config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.artemis.url", String.class);
        String address = config.getOptionalValue("callsup.audit.address", String.class).orElse("callsup.supervision.audit");
        AuditConsumer c = new AuditConsumer(url, address, selector);
        c.connect();
        return c;
    }

    /** Outside a @QuarkusTest (the service runs as its own process): name the broker and address. */
    public static AuditConsumer subscribe(String url, String address, String selector) throws JMSException {
        AuditConsumer c = new AuditConsumer(url, address, selector);
        c.connect();
        return c;
    }

    private void connect() throws JMSException {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
        connection = factory.createConnection();
        connection.setClientID(clientId);
        session = connection.createSession(true, Session.SESSION_TRANSACTED);
        Topic topic = session.createTopic(address);
        consumer = session.createDurableConsumer(topic, subscription, selector, false);
        connection.start();
    }

    /** After a broker restart: connect again (retrying for {@code timeout}) to the same durable subscription. */
    public void reconnect(Duration timeout) throws InterruptedException {
        closeQuietly();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                connect();
                return;
            } catch (JMSException e) {
                closeQuietly();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not reconnect to the broker", e);
                }
                Thread.sleep(200);
            }
        }
    }

    /** Receives until {@code count} messages have arrived in total or {@code timeout} passed; returns all so far. */
    public List<Received> awaitCount(int count, Duration timeout) throws JMSException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            receiveOne(100);
        }
        return all();
    }

    /** Receives until nothing arrived for {@code quiet}; returns all received so far. */
    public List<Received> drain(Duration quiet) throws JMSException {
        while (receiveOne(quiet.toMillis())) {
            // keep going
        }
        return all();
    }

    public List<Received> all() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    private boolean receiveOne(long waitMs) throws JMSException {
        Message m = consumer.receive(waitMs);
        if (m == null) {
            return false;
        }
        String body = ((TextMessage) m).getText();
        Map<String, Object> props = new HashMap<>();
        for (var names = m.getPropertyNames(); names.hasMoreElements(); ) {
            String name = (String) names.nextElement();
            props.put(name, m.getObjectProperty(name));
        }
        try {
            received.add(new Received(body, JSON.readTree(body), props, m.getJMSDeliveryMode(), m.getJMSRedelivered()));
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
        session.commit();
        return true;
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (Exception ignored) {
            // a connection to a stopped broker cannot close cleanly
        }
        connection = null;
    }

    /** Removes the durable subscription (so the persistent test broker does not keep filling it). */
    @Override
    public void close() {
        try {
            consumer.close();
            session.unsubscribe(subscription);
        } catch (Exception ignored) {
            // best effort
        }
        closeQuietly();
    }
}

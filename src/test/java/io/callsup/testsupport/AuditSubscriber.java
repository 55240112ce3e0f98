package io.callsup.testsupport;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An integrator's durable subscriber on the audit address (README "Audit events"): it connects with
 * the URL it is given (a pair's failover URL follows the backup), acknowledges automatically, and
 * records each message's {@code eventId} property and when it came. Copies of an id are expected
 * after a broker failover (an acknowledgement lost with the primary); a consumer de-duplicates on it.
 */
public final class AuditSubscriber implements AutoCloseable {

    /** One message as it arrived: its event id and {@link System#nanoTime()} at arrival. */
    public record Received(UUID eventId, long nanos) {
    }

    private final Connection connection;
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final AtomicInteger bodyMismatches = new AtomicInteger();

    /** Subscribes at once: events published before this returns are not for this subscription. */
    public AuditSubscriber(String url, String address, String clientId, String subscription) throws JMSException {
        connection = new ActiveMQConnectionFactory(url).createConnection();
        try {
            connection.setClientID(clientId);
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createDurableConsumer(session.createTopic(address), subscription);
            consumer.setMessageListener(m -> {
                try {
                    String id = m.getStringProperty("eventId");
                    received.add(new Received(UUID.fromString(id), System.nanoTime()));
                    // the id property and the CloudEvent body must agree, or de-duplication means nothing
                    if (!((TextMessage) m).getText().contains("\"id\":\"" + id + "\"")) {
                        bodyMismatches.incrementAndGet();
                    }
                } catch (Exception e) {
                    bodyMismatches.incrementAndGet();
                }
            });
            connection.start();
        } catch (JMSException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Every message so far, copies included, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The distinct event ids so far: what a consumer that de-duplicates on the id has. */
    public Set<UUID> distinct() {
        Set<UUID> ids = new HashSet<>();
        received.forEach(r -> ids.add(r.eventId()));
        return ids;
    }

    /** Messages without a readable eventId, or whose eventId is not the CloudEvent's id. */
    public int bodyMismatches() {
        return bodyMismatches.get();
    }

    @Override
    public void close() throws JMSException {
        connection.close();
    }
}

package io.callsup.audit;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Topic;
import org.apache.activemq.artemis.api.core.ActiveMQDuplicateIdException;
import org.apache.activemq.artemis.api.core.Message;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One relay's work, free of CDI so that tests and the benchmark can run several against one
 * database. A pass, in one database transaction:
 * <ol>
 *   <li>take the cluster-wide relay lock ({@code pg_try_advisory_xact_lock}); if another replica
 *       holds it, do nothing: exactly one relay publishes at a time, so rows go out in id order and
 *       no row is taken by two relays;</li>
 *   <li>read the oldest unsent rows in id order;</li>
 *   <li>send them in one JMS transaction (persistent, duplicate-detection id = event id) and commit it;</li>
 *   <li>mark them sent and commit the database transaction, releasing the lock.</li>
 * </ol>
 * A crash between 3 and 4 leaves the rows unsent; the next pass sends them again with the same
 * duplicate-detection ids and the broker drops the copies, so consumers see each event once (the
 * broker remembers the last {@code id-cache-size} ids per address, 20000 by default).
 * Rows are never skipped: the query is "everything unsent", not "everything after a mark", so a
 * row whose transaction commits late (an older id) is still picked up.
 */
public final class RelayWorker implements AutoCloseable {

    /** The lock every relay of every replica contends for ("callsup-audit-relay"). */
    static final long RELAY_LOCK = 0x63616c6c73757041L;

    /** Opens a database connection; the worker closes it. */
    @FunctionalInterface
    public interface Connections {
        Connection open() throws SQLException;
    }

    /** Runs after the broker accepted a batch and before the rows are marked sent (tests: a crash there). */
    @FunctionalInterface
    public interface AfterPublish {
        void accept(List<Row> rows) throws Exception;
    }

    public record Row(long id, UUID eventId, String type, UUID sessionId, Long customerId, String payload,
                      Instant createdAt) {
    }

    /**
     * What one pass did: {@code lockBusy} when another relay was publishing; {@code alreadyDelivered}
     * counts published rows the broker refused as duplicates (sent before a crash, not marked sent).
     */
    public record Pass(boolean lockBusy, List<Row> published, int alreadyDelivered) {
        static final Pass BUSY = new Pass(true, List.of(), 0);
    }

    private final Connections database;
    private final ConnectionFactory broker;
    private final String address;
    private final int batchSize;
    private final AfterPublish afterPublish;
    private JMSContext context;
    private JMSProducer producer;
    private Topic topic;

    public RelayWorker(Connections database, ConnectionFactory broker, String address, int batchSize,
                       AfterPublish afterPublish) {
        this.database = database;
        this.broker = broker;
        this.address = address;
        this.batchSize = batchSize;
        this.afterPublish = afterPublish == null ? rows -> { } : afterPublish;
    }

    /** One pass; throws when the database or the broker failed (nothing is marked sent then). */
    public synchronized Pass relayOnce() throws Exception {
        try (Connection c = database.open()) {
            c.setAutoCommit(false);
            try {
                if (!tryLock(c)) {
                    c.rollback();
                    return Pass.BUSY;
                }
                List<Row> rows = unsent(c);
                if (rows.isEmpty()) {
                    c.commit();
                    return new Pass(false, rows, 0);
                }
                int alreadyDelivered = publish(rows);
                afterPublish.accept(rows);
                markSent(c, rows);
                c.commit();
                return new Pass(false, rows, alreadyDelivered);
            } catch (Exception e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    /** Deletes rows sent before {@code cutoff}, in chunks; returns how many went. */
    public int prune(Instant cutoff) throws SQLException {
        int total = 0;
        try (Connection c = database.open()) {
            c.setAutoCommit(true);
            try (PreparedStatement delete = c.prepareStatement("""
                    DELETE FROM audit_outbox WHERE id IN (
                        SELECT id FROM audit_outbox WHERE sent_at IS NOT NULL AND sent_at < ? LIMIT 5000)""")) {
                delete.setTimestamp(1, Timestamp.from(cutoff));
                int n;
                do {
                    n = delete.executeUpdate();
                    total += n;
                } while (n == 5000);
            }
        }
        return total;
    }

    /** Unsent rows and the creation time of the oldest (null when none). */
    public record Backlog(long count, Instant oldest) {
    }

    public Backlog backlog() throws SQLException {
        try (Connection c = database.open();
             PreparedStatement q = c.prepareStatement(
                     "SELECT count(*), min(created_at) FROM audit_outbox WHERE sent_at IS NULL");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            Timestamp oldest = rs.getTimestamp(2);
            return new Backlog(rs.getLong(1), oldest == null ? null : oldest.toInstant());
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, RELAY_LOCK);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private List<Row> unsent(Connection c) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("""
                SELECT id, event_id, event_type, session_id, customer_id, payload, created_at
                FROM audit_outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?""")) {
            q.setInt(1, batchSize);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getObject(4, UUID.class), rs.getObject(5, Long.class), rs.getString(6),
                            rs.getTimestamp(7).toInstant()));
                }
            }
        }
        return rows;
    }

    /** Sends the rows in one broker transaction; returns how many the broker already had (see below). */
    private int publish(List<Row> rows) {
        try {
            if (context == null) {
                context = broker.createContext(JMSContext.SESSION_TRANSACTED);
                topic = context.createTopic(address);
                producer = context.createProducer().setDeliveryMode(DeliveryMode.PERSISTENT);
            }
            for (Row row : rows) {
                send(row);
            }
            try {
                context.commit();
                return 0;
            } catch (RuntimeException e) {
                if (!duplicate(e)) {
                    throw e;
                }
            }
            // Artemis refuses a whole transaction that holds one already-seen duplicate id: this batch
            // (or part of it) was delivered before a crash kept it from being marked sent. Send it
            // again one message per transaction; the broker's refusal of a single one means "already
            // delivered", which is what we wanted.
            rollbackQuietly(context);
            int alreadyDelivered = 0;
            for (Row row : rows) {
                send(row);
                try {
                    context.commit();
                } catch (RuntimeException e) {
                    if (!duplicate(e)) {
                        throw e;
                    }
                    rollbackQuietly(context);
                    alreadyDelivered++;
                }
            }
            return alreadyDelivered;
        } catch (RuntimeException e) {
            closeContext();
            throw e;
        }
    }

    private void send(Row row) {
        try {
            var message = context.createTextMessage(row.payload());
            message.setStringProperty(Message.HDR_DUPLICATE_DETECTION_ID.toString(), row.eventId().toString());
            message.setStringProperty("contentType", "application/cloudevents+json; charset=UTF-8");
            message.setStringProperty("eventType", row.type());
            message.setStringProperty("eventId", row.eventId().toString());
            if (row.customerId() != null) {
                message.setLongProperty("customerId", row.customerId());
            }
            if (row.sessionId() != null) {
                message.setStringProperty("sessionId", row.sessionId().toString());
                // Shared subscriptions hand all of one session's events to the same consumer, in order.
                message.setStringProperty("JMSXGroupID", row.sessionId().toString());
            }
            producer.send(topic, message);
        } catch (jakarta.jms.JMSException e) {
            throw new jakarta.jms.JMSRuntimeException(e.getMessage(), e.getErrorCode(), e);
        }
    }

    private static boolean duplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ActiveMQDuplicateIdException) {
                return true;
            }
            if (t instanceof jakarta.jms.JMSException jms && jms.getLinkedException() instanceof ActiveMQDuplicateIdException) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(JMSContext context) {
        try {
            context.rollback();
        } catch (RuntimeException ignored) {
            // nothing left to roll back
        }
    }

    private static void markSent(Connection c, List<Row> rows) throws SQLException {
        Long[] ids = rows.stream().map(Row::id).toArray(Long[]::new);
        Array array = c.createArrayOf("bigint", ids);
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE audit_outbox SET sent_at = clock_timestamp() WHERE id = ANY (?) AND sent_at IS NULL")) {
            update.setArray(1, array);
            int n = update.executeUpdate();
            if (n != rows.size()) {
                // Only possible if the lock did not hold: refuse to pretend, roll the pass back.
                throw new IllegalStateException("marked " + n + " of " + rows.size() + " rows sent");
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; closing it discards the transaction anyway
        }
    }

    private void closeContext() {
        if (context != null) {
            try {
                context.close();
            } catch (RuntimeException ignored) {
                // a dead connection cannot be closed cleanly
            }
        }
        context = null;
        producer = null;
        topic = null;
    }

    @Override
    public synchronized void close() {
        closeContext();
    }
}

package io.callsup.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Writes every {@link LiveEvent} into the shared log (table {@code live_event}) inside the
 * transaction that made the change, so it exists exactly when the change does, on every replica.
 * {@link LiveEventFeed} reads it back and fans it out; a trigger NOTIFYs the replicas at commit.
 */
@ApplicationScoped
public class LiveEventLog {

    private static final Logger LOG = Logger.getLogger(LiveEventLog.class);

    private final EntityManager em;
    private final TransactionManager transactions;
    private final ObjectMapper json;

    public LiveEventLog(EntityManager em, TransactionManager transactions, ObjectMapper json) {
        this.em = em;
        this.transactions = transactions;
        this.json = json;
    }

    void onFired(@Observes LiveEvent event) {
        String payload;
        try {
            payload = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("live event not serialisable: " + event.type(), e);
        }
        if (inTransaction()) {
            insert(event.customerId(), payload);
            return;
        }
        try {
            QuarkusTransaction.requiringNew().run(() -> insert(event.customerId(), payload));
        } catch (RuntimeException e) {
            // Outside a transaction nothing else was written either; the stream misses this one.
            LOG.warnf("live event %s of customer %d not logged: %s", event.type(), event.customerId(), e.getMessage());
        }
    }

    private void insert(long customerId, String payload) {
        em.createNativeQuery("INSERT INTO live_event (customer_id, payload) VALUES (?1, ?2)")
                .setParameter(1, customerId).setParameter(2, payload).executeUpdate();
    }

    private boolean inTransaction() {
        try {
            return transactions.getStatus() == Status.STATUS_ACTIVE;
        } catch (SystemException e) {
            return false;
        }
    }

    /** An event read back from the log, with its customer (not part of the JSON). */
    LiveEvent read(long customerId, String payload) {
        try {
            return json.readValue(payload, LiveEvent.class).forCustomer(customerId);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable live event row", e);
        }
    }

    /** A row of the log. */
    public record Entry(long id, LiveEvent event) {
    }

    /** For a reconnecting stream: the customer's events after {@code afterId}, oldest first, bounded. */
    @SuppressWarnings("unchecked")
    public List<Entry> after(long customerId, long afterId, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> ((List<Object[]>) em.createNativeQuery(
                        "SELECT id, payload FROM live_event WHERE customer_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3")
                .setParameter(1, customerId).setParameter(2, afterId).setParameter(3, limit).getResultList())
                .stream().map(r -> new Entry(((Number) r[0]).longValue(), read(customerId, (String) r[1]))).toList());
    }

    /** The highest id pruned: a Last-Event-ID below it may have missed events. */
    public long prunedUpTo() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT pruned_upto FROM live_event_horizon").getSingleResult()).longValue());
    }
}

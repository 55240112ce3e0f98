package io.callsup.audit;

import io.callsup.testsupport.ArtemisPair;
import io.callsup.testsupport.AuditSubscriber;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15, "Artemis as a pair": the audit broker is a replicated primary/backup pair
 * ({@link ArtemisPair}, two broker processes), the relay ({@link RelayWorker}, the service's code)
 * and an integrator's durable subscriber both connect with the failover URL the service takes in
 * {@code quarkus.artemis.url}. Writers commit events to the outbox (a real PostgreSQL) in a burst;
 * once part of the burst is published the primary is killed with SIGKILL. Asserted: the backup takes
 * over; the relay keeps publishing (events committed after the kill arrive); and the subscriber
 * received every event id committed to the outbox, at least once, and after de-duplicating on the
 * id exactly that set: nothing lost, nothing foreign. Copies of an id are allowed (an
 * acknowledgement lost with the primary makes the backup redeliver) and counted in the output.
 */
class ArtemisPairFailoverTest {

    private static final String ADDRESS = "callsup.supervision.audit";
    private static final int EVENTS = 3000;
    private static final int KILL_AFTER_PUBLISHED = 800;

    @Test
    void noAuditEventIsLostWhenThePrimaryBrokerIsKilledMidBurst() throws Exception {
        try (ArtemisPair pair = new ArtemisPair(Path.of("target", "artemis-pair"));
             EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            pair.start();
            String db = pg.getJdbcUrl("postgres", "postgres");
            Flyway.configure().dataSource(db, "postgres", "postgres").locations("classpath:db/migration").load().migrate();

            try (AuditSubscriber subscriber = new AuditSubscriber(pair.failoverUrl(), ADDRESS, "billing-test", "billing")) {
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger published = new AtomicInteger();
                AtomicInteger publishedAfterKill = new AtomicInteger();
                AtomicInteger failedPasses = new AtomicInteger();
                AtomicBoolean killed = new AtomicBoolean();
                java.util.concurrent.atomic.AtomicLong killedAt = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.atomic.AtomicLong resumedAt = new java.util.concurrent.atomic.AtomicLong();
                List<Throwable> relayErrors = new ArrayList<>();
                Thread relay = new Thread(() -> {
                    long backoff = 0;
                    try (RelayWorker worker = new RelayWorker(() -> DriverManager.getConnection(db, "postgres", "postgres"),
                            new ActiveMQConnectionFactory(pair.failoverUrl()), ADDRESS, 200, null)) {
                        while (!stop.get()) {
                            try {
                                RelayWorker.Pass pass = worker.relayOnce();
                                int n = pass.published().size() - pass.alreadyDelivered();
                                published.addAndGet(n);
                                if (killed.get()) {
                                    publishedAfterKill.addAndGet(n);
                                    if (n > 0) {
                                        resumedAt.compareAndSet(0, System.nanoTime());
                                    }
                                }
                                backoff = 0;
                                if (pass.published().isEmpty()) {
                                    Thread.sleep(5);
                                }
                            } catch (Exception e) {
                                // as OutboxRelay: the rows stay unsent, retry with back-off
                                failedPasses.incrementAndGet();
                                synchronized (relayErrors) {
                                    relayErrors.add(e);
                                }
                                backoff = backoff == 0 ? 100 : Math.min(backoff * 2, 2000);
                                Thread.sleep(backoff);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "relay");
                relay.start();

                Set<UUID> written = new HashSet<>();
                List<UUID> writtenAfterKill = new ArrayList<>();
                try (java.sql.Connection c = DriverManager.getConnection(db, "postgres", "postgres")) {
                    c.setAutoCommit(false);
                    UUID sessionId = UUID.randomUUID();
                    for (int i = 0; i < EVENTS; i++) {
                        UUID id = insert(c, sessionId);
                        c.commit();
                        written.add(id);
                        if (killed.get()) {
                            writtenAfterKill.add(id);
                        }
                        if (!killed.get() && i == EVENTS / 2) {
                            // A cold relay (first connection, JIT) can trail a fast writer: half the burst
                            // stays to be written after the kill whatever the relay's pace.
                            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                            while (published.get() < KILL_AFTER_PUBLISHED && System.nanoTime() < until) {
                                Thread.sleep(10);
                            }
                        }
                        if (!killed.get() && published.get() >= KILL_AFTER_PUBLISHED) {
                            killedAt.set(System.nanoTime());
                            pair.killPrimary();
                            killed.set(true);
                            System.out.printf("primary killed (SIGKILL) after %d of %d events committed, %d published%n",
                                    i + 1, EVENTS, published.get());
                        }
                        if (i % 20 == 19) {
                            Thread.sleep(2); // a burst, not one transaction: the relay publishes while we write
                        }
                    }
                }
                assertTrue(killed.get(), "the relay published fewer than " + KILL_AFTER_PUBLISHED
                        + " events during the burst; the primary was never killed (relay passes failed: " + failedPasses.get()
                        + (relayErrors.isEmpty() ? "" : ", first: " + relayErrors.get(0)) + ")");
                pair.awaitBackupActive(Duration.ofSeconds(60));

                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while ((unsent(db) > 0 || !subscriber.distinct().containsAll(written)) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Thread.sleep(500); // late redeliveries would show up as copies, not as strangers
                stop.set(true);
                relay.join(30_000);

                Set<UUID> distinct = subscriber.distinct();
                int messages = subscriber.received().size();
                Set<UUID> missing = new HashSet<>(written);
                missing.removeAll(distinct);
                Set<UUID> foreign = new HashSet<>(distinct);
                foreign.removeAll(written);
                System.out.printf("written %d (%d after the kill), received %d messages, %d distinct ids, %d copies;"
                                + " relay passes failed during the failover: %d (%s); published after the kill: %d%n",
                        written.size(), writtenAfterKill.size(), messages, distinct.size(),
                        messages - distinct.size(), failedPasses.get(),
                        relayErrors.isEmpty() ? "none" : relayErrors.get(0).toString(), publishedAfterKill.get());
                System.out.printf("the relay published again %d ms after the SIGKILL%n",
                        (resumedAt.get() - killedAt.get()) / 1_000_000);
                assertEquals(0, unsent(db), "outbox rows left unsent after the failover");
                assertEquals(Set.of(), missing, "events committed to the outbox that no subscriber received");
                assertEquals(Set.of(), foreign, "events received that the outbox never held");
                assertEquals(written, distinct);
                assertEquals(0, subscriber.bodyMismatches(), "messages whose eventId property is not the CloudEvent's id");
                assertTrue(!writtenAfterKill.isEmpty() && publishedAfterKill.get() > 0,
                        "the relay must keep publishing after the primary died");
                assertTrue(distinct.containsAll(writtenAfterKill));
            }
        }
    }

    private static UUID insert(java.sql.Connection c, UUID session) throws Exception {
        UUID id = UUID.randomUUID();
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO audit_outbox "
                + "(event_id, event_type, session_id, customer_id, payload) VALUES (?, ?, ?, ?, ?)")) {
            insert.setObject(1, id);
            insert.setString(2, "io.callsup.supervision.mode_changed");
            insert.setObject(3, session);
            insert.setLong(4, 42);
            insert.setString(5, "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"type\":\"io.callsup.supervision.mode_changed\"}");
            insert.executeUpdate();
        }
        return id;
    }

    private static long unsent(String db) throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection(db, "postgres", "postgres");
             PreparedStatement q = c.prepareStatement("SELECT count(*) FROM audit_outbox WHERE sent_at IS NULL");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

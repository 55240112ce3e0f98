package io.callsup.audit;

import io.callsup.supervision.AuditTrail;

import io.callsup.testsupport.AuditConsumer;
import io.callsup.testsupport.EventSchema;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service dies between the commit of a session change and the publication of its event. The
 * service's own relay is paused to stand for the dead process (the transaction committed, nothing
 * was published); a relay built afresh on its own database and broker connections stands for the
 * restarted service. Real PostgreSQL, real broker, a real durable subscriber.
 */
@QuarkusTest
class RelayCrashTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    AuditTrail audit;

    @Inject
    OutboxRelay relay;

    @Test
    void eventsCommittedBeforeACrashAreDeliveredOnceAfterTheRestart() throws Exception {
        AuditFixtures abc = new AuditFixtures(audit);
        try (AuditConsumer billing = AuditConsumer.subscribe(AuditFixtures.selector(abc.customerId()))) {
            relay.pause();
            List<UUID> written;
            try {
                abc.story(0);
                written = RelayReplica.all(abc.customerId());
                assertThat(written).hasSize(5);
                // Committed, not published: the outbox holds them, the consumer has nothing.
                assertThat(RelayReplica.unsent(abc.customerId())).containsExactlyElementsOf(written);
                assertThat(billing.drain(Duration.ofSeconds(1))).isEmpty();

                try (RelayWorker restarted = RelayReplica.start(null)) {
                    drainOutbox(restarted);
                }
            } finally {
                relay.resume();
            }
            List<AuditConsumer.Received> got = billing.awaitCount(5, WAIT);
            assertThat(billing.drain(Duration.ofSeconds(1))).hasSize(5);
            assertThat(got).extracting(r -> UUID.fromString(r.id())).containsExactlyElementsOf(written);
            assertThat(got).allSatisfy(r -> assertThat(EventSchema.violations(r.json())).isEmpty());
            assertThat(RelayReplica.unsent(abc.customerId())).isEmpty();
        }
    }

    @Test
    void aCrashAfterTheBrokerAcceptedTheBatchButBeforeItWasMarkedSentDeliversOnce() throws Exception {
        AuditFixtures abc = new AuditFixtures(audit);
        try (AuditConsumer billing = AuditConsumer.subscribe(AuditFixtures.selector(abc.customerId()))) {
            relay.pause();
            List<UUID> written;
            List<UUID> republished = new ArrayList<>();
            try {
                abc.story(0);
                written = RelayReplica.all(abc.customerId());
                try (RelayWorker dying = RelayReplica.start(rows -> {
                    throw new IllegalStateException("process killed after the broker commit");
                })) {
                    assertThatThrownBy(dying::relayOnce).hasMessageContaining("process killed");
                }
                // The database transaction died with the process: still unsent, although the broker has them.
                assertThat(RelayReplica.unsent(abc.customerId())).containsExactlyElementsOf(written);
                assertThat(billing.awaitCount(5, WAIT)).hasSize(5);
                try (RelayWorker restarted = RelayReplica.start(null)) {
                    RelayWorker.Pass pass = restarted.relayOnce();
                    pass.published().stream().map(RelayWorker.Row::eventId).filter(written::contains)
                            .forEach(republished::add);
                    // The broker recognised every one of them by its duplicate-detection id.
                    assertThat(pass.alreadyDelivered()).isGreaterThanOrEqualTo(written.size());
                    drainOutbox(restarted);
                }
            } finally {
                relay.resume();
            }
            // The restarted relay really sent every event a second time...
            assertThat(republished).containsExactlyElementsOf(written);
            // ...and the broker's duplicate detection dropped the copies: the consumer has each once.
            List<AuditConsumer.Received> got = billing.awaitCount(5, WAIT);
            assertThat(billing.drain(Duration.ofSeconds(1))).hasSize(5);
            assertThat(got).extracting(r -> UUID.fromString(r.id())).containsExactlyElementsOf(written);
            assertThat(RelayReplica.unsent(abc.customerId())).isEmpty();
        }
    }

    /** Runs passes until the outbox is empty; returns every row published. */
    static List<RelayWorker.Row> drainOutbox(RelayWorker worker) throws Exception {
        List<RelayWorker.Row> published = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            RelayWorker.Pass pass = worker.relayOnce();
            published.addAll(pass.published());
            if (!pass.lockBusy() && pass.published().isEmpty()) {
                return published;
            }
        }
        throw new AssertionError("outbox not drained");
    }
}

package io.callsup.audit;

import io.callsup.supervision.AuditTrail;

import io.callsup.testsupport.AuditConsumer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two relays (each with its own database and broker connections, as two replicas would have) run
 * flat out against one database while four writers commit sessions concurrently, so ids are
 * committed out of order. Every event must be published by exactly one relay, none may be missing,
 * and the consumer must see each session's events once and in order.
 */
@QuarkusTest
class TwoRelaysTest {

    private static final int WRITERS = 4;
    private static final int SESSIONS_PER_WRITER = 6;
    private static final int EVENTS = WRITERS * SESSIONS_PER_WRITER * 5;

    @Inject
    AuditTrail audit;

    @Inject
    OutboxRelay relay;

    @Test
    void twoRelaysPublishEveryEventExactlyOnceInSessionOrder() throws Exception {
        AuditFixtures abc = new AuditFixtures(audit);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
        List<List<UUID>> publishedBy = List.of(Collections.synchronizedList(new ArrayList<>()),
                Collections.synchronizedList(new ArrayList<>()));
        AtomicInteger lockBusy = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        try (AuditConsumer billing = AuditConsumer.subscribe(AuditFixtures.selector(abc.customerId()))) {
            relay.pause();
            try {
                List<Future<?>> relays = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    List<UUID> mine = publishedBy.get(r);
                    relays.add(pool.submit(() -> {
                        try (RelayWorker worker = RelayReplica.start(null)) {
                            while (writing.get() || !RelayReplica.unsent(abc.customerId()).isEmpty()) {
                                RelayWorker.Pass pass = worker.relayOnce();
                                if (pass.lockBusy()) {
                                    lockBusy.incrementAndGet();
                                }
                                pass.published().forEach(row -> mine.add(row.eventId()));
                            }
                        }
                        return null;
                    }));
                }
                List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    writers.add(pool.submit(() -> {
                        for (int s = 0; s < SESSIONS_PER_WRITER; s++) {
                            abc.story(0);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : writers) {
                    f.get(120, TimeUnit.SECONDS);
                }
                writing.set(false);
                for (Future<?> f : relays) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                writing.set(false);
                pool.shutdownNow();
                relay.resume();
            }

            List<UUID> written = RelayReplica.all(abc.customerId());
            assertThat(written).hasSize(EVENTS);
            List<UUID> all = new ArrayList<>(publishedBy.get(0));
            all.addAll(publishedBy.get(1));
            // No event published by both relays, or twice by one (every row in the outbox, not only ours).
            assertThat(new HashSet<>(all)).hasSameSizeAs(all);
            // None skipped.
            assertThat(all).containsAll(written);
            assertThat(RelayReplica.unsent(abc.customerId())).isEmpty();
            // Both relays were really contending for the work.
            assertThat(lockBusy.get()).as("passes that found the other relay publishing").isPositive();
            System.out.printf("two relays: %d and %d events published, %d passes found the lock taken%n",
                    publishedBy.get(0).size(), publishedBy.get(1).size(), lockBusy.get());

            List<AuditConsumer.Received> got = billing.awaitCount(EVENTS, Duration.ofSeconds(30));
            assertThat(billing.drain(Duration.ofSeconds(1))).hasSize(EVENTS);
            Set<String> ids = new HashSet<>();
            got.forEach(r -> ids.add(r.id()));
            assertThat(ids).hasSize(EVENTS);
            Map<String, List<Integer>> sequences = new LinkedHashMap<>();
            Map<String, List<String>> types = new LinkedHashMap<>();
            for (AuditConsumer.Received r : got) {
                sequences.computeIfAbsent(r.sessionId(), k -> new ArrayList<>()).add(r.sequence());
                types.computeIfAbsent(r.sessionId(), k -> new ArrayList<>()).add(r.shortType());
            }
            assertThat(sequences).hasSize(WRITERS * SESSIONS_PER_WRITER);
            assertThat(sequences.values()).allSatisfy(seq -> assertThat(seq).containsExactly(1, 2, 3, 4, 5));
            assertThat(types.values()).allSatisfy(t -> assertThat(t)
                    .containsExactly("started", "mode_changed", "mode_changed", "mode_changed", "ended"));
        }
    }
}

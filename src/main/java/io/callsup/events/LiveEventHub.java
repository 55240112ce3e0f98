package io.callsup.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Fans committed {@link LiveEvent}s out to the live streams of their customer. In-memory and per
 * replica: a stream sees the events this replica committed (see docs/call-control-api.md).
 */
@ApplicationScoped
public class LiveEventHub {

    private static final Logger LOG = Logger.getLogger(LiveEventHub.class);

    private record Listener(long customerId, BiConsumer<Long, LiveEvent> sink) {
    }

    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();

    /** Delivered after the firing transaction committed (at once when fired outside a transaction). */
    void onCommitted(@Observes(during = TransactionPhase.AFTER_SUCCESS) LiveEvent event) {
        long seq = sequence.incrementAndGet();
        for (Listener l : listeners) {
            if (l.customerId() == event.customerId()) {
                try {
                    l.sink().accept(seq, event);
                } catch (RuntimeException e) {
                    LOG.debugf("live stream listener failed: %s", e.getMessage());
                }
            }
        }
    }

    /** Registers a listener for one customer; run the returned handle to remove it. */
    public Runnable subscribe(long customerId, BiConsumer<Long, LiveEvent> sink) {
        Listener l = new Listener(customerId, sink);
        listeners.add(l);
        return () -> listeners.remove(l);
    }

    public long lastSequence() {
        return sequence.get();
    }
}

package io.callsup.events;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Fans the events of the shared log ({@link LiveEventFeed}) out to this replica's live streams of
 * their customer. Every replica delivers every committed event, whichever replica made it; the
 * sequence number is the log's id, the same on every replica, so Last-Event-ID works on any.
 */
@ApplicationScoped
public class LiveEventHub {

    private static final Logger LOG = Logger.getLogger(LiveEventHub.class);

    private record Listener(long customerId, BiConsumer<Long, LiveEvent> sink) {
    }

    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final AtomicLong high = new AtomicLong();

    void deliver(long id, LiveEvent event) {
        high.accumulateAndGet(id, Math::max);
        for (Listener l : listeners) {
            if (l.customerId() == event.customerId()) {
                try {
                    l.sink().accept(id, event);
                } catch (RuntimeException e) {
                    LOG.debugf("live stream listener failed: %s", e.getMessage());
                }
            }
        }
    }

    void advanceTo(long id) {
        high.accumulateAndGet(id, Math::max);
    }

    /** Registers a listener for one customer; run the returned handle to remove it. */
    public Runnable subscribe(long customerId, BiConsumer<Long, LiveEvent> sink) {
        Listener l = new Listener(customerId, sink);
        listeners.add(l);
        return () -> listeners.remove(l);
    }

    /** The highest log id delivered here: what a new stream's "ready" carries as its id. */
    public long lastSequence() {
        return high.get();
    }
}

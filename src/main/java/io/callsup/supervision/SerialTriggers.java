package io.callsup.supervision;

import io.callsup.supervision.port.TraceContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Runs the triggers of one key (a supervisor leg, a session) one after the other in the order they
 * were submitted, off the caller's thread. A plain thread pool would reorder a burst of digits; the
 * session's row lock alone serialises but does not order. Keys vanish when their queue drains.
 */
@ApplicationScoped
public class SerialTriggers {

    private static final Logger LOG = Logger.getLogger(SerialTriggers.class);

    private final ManagedExecutor executor;
    private final TraceContext trace;
    private final ConcurrentMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    public SerialTriggers(ManagedExecutor executor) {
        this(executor, TraceContext.NONE);
    }

    @Inject
    public SerialTriggers(ManagedExecutor executor, TraceContext trace) {
        this.executor = executor;
        this.trace = trace;
    }

    public CompletableFuture<Void> submit(String key, Runnable task) {
        // Captured now: the executor would capture when the previous task of the key completes, on
        // that task's thread, and a digit's spans would join the previous digit's trace.
        Runnable carried = trace.carry(task);
        CompletableFuture<Void>[] mine = new CompletableFuture[1];
        tails.compute(key, (k, tail) -> {
            CompletableFuture<Void> prev = tail == null ? CompletableFuture.completedFuture(null) : tail;
            mine[0] = prev.thenRunAsync(() -> {
                try {
                    carried.run();
                } catch (RuntimeException e) {
                    // One failed trigger must not stop the ones queued behind it.
                    LOG.errorf(e, "trigger on %s failed", key);
                }
            }, executor);
            return mine[0];
        });
        mine[0].whenComplete((x, e) -> tails.remove(key, mine[0]));
        return mine[0];
    }

    /** Queued keys; for tests and metrics. */
    public int pending() {
        return tails.size();
    }
}

package io.callsup.api;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Deletes Idempotency-Key rows past their TTL, so the table holds about one TTL of traffic. */
@ApplicationScoped
public class IdempotencyPurge {

    private static final Logger LOG = Logger.getLogger(IdempotencyPurge.class);

    private final IdempotencyKeys keys;
    private final ApiConfig config;
    private final Vertx vertx;
    private long timer = -1;

    public IdempotencyPurge(IdempotencyKeys keys, ApiConfig config, Vertx vertx) {
        this.keys = keys;
        this.config = config;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        long every = Math.max(1000, config.idempotency().purgeInterval().toMillis());
        timer = vertx.setPeriodic(every, id -> vertx.executeBlocking(() -> {
            purgeQuietly();
            return null;
        }, false));
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    void purgeQuietly() {
        try {
            int purged = keys.purgeExpired();
            if (purged > 0) {
                LOG.debugf("purged %d expired Idempotency-Key rows", purged);
            }
        } catch (RuntimeException e) {
            // The database may be down; the next pass catches up.
            LOG.warnf("could not purge expired Idempotency-Key rows: %s", e.getMessage());
        }
    }
}

package io.callsup.audit;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.jms.ConnectionFactory;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes the outbox to Artemis from this replica. Passes run on Vert.x worker threads, driven by
 * Vert.x timers: immediately after a transaction that wrote events commits (a nudge), again at once
 * while a full batch was found, every poll interval when idle (rows of other replicas), and with
 * exponential back-off while the broker (or database) fails. The ordering and the one-publisher-at-a-
 * time guarantee across replicas come from {@link RelayWorker}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final Vertx vertx;
    private final AuditConfig config;
    private final RelayWorker worker;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean nudged = new AtomicBoolean();
    private final AtomicLong timer = new AtomicLong(-1);
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicReference<Instant> oldestUnsent = new AtomicReference<>();
    private final Counter failures;
    private final Counter published;
    private final Timer publishDelay;
    private volatile boolean started;
    private volatile boolean stopped;
    private volatile boolean paused;
    private volatile Duration backoff = Duration.ZERO;
    private volatile Boolean brokerReachable;
    private volatile String lastError;
    private long pruneTimer = -1;

    public OutboxRelay(Vertx vertx, AuditConfig config, AgroalDataSource dataSource, ConnectionFactory broker,
                       MeterRegistry registry) {
        this.vertx = vertx;
        this.config = config;
        this.worker = new RelayWorker(dataSource::getConnection, broker, config.address(), config.relay().batchSize(),
                null);
        Gauge.builder("callsup.audit.outbox.backlog", backlog, AtomicLong::get)
                .description("Audit events committed but not yet published to the broker").register(registry);
        Gauge.builder("callsup.audit.relay.lag", this, OutboxRelay::lagSeconds).baseUnit("seconds")
                .description("Age of the oldest unpublished audit event (0 when none wait)").register(registry);
        failures = Counter.builder("callsup.audit.publish.failures")
                .description("Relay passes that failed to publish (broker or database unavailable)").register(registry);
        published = Counter.builder("callsup.audit.events.published")
                .description("Audit events published by this replica").register(registry);
        publishDelay = Timer.builder("callsup.audit.publish.delay")
                .description("From the commit of an audit event to its publication").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.relay().enabled()) {
            LOG.warn("audit relay disabled in this replica (callsup.audit.relay.enabled=false)");
            return;
        }
        started = true;
        schedule(0);
        long prune = Math.max(1000, config.relay().pruneInterval().toMillis());
        pruneTimer = vertx.setPeriodic(prune, id -> vertx.executeBlocking(() -> {
            pruneNow();
            return null;
        }, false));
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
        vertx.cancelTimer(timer.get());
        if (pruneTimer >= 0) {
            vertx.cancelTimer(pruneTimer);
        }
        awaitIdle(Duration.ofSeconds(10));
        worker.close();
    }

    /** Called after a transaction that wrote audit events committed: publish now rather than at the next poll. */
    public void nudge() {
        if (!started || stopped) {
            return;
        }
        nudged.set(true);
        if (!running.get() && backoff.isZero() && vertx.cancelTimer(timer.get())) {
            schedule(0);
        }
    }

    /** Stops publishing in this replica (after the pass in progress). Tests use it to stage a crash. */
    public void pause() {
        paused = true;
        awaitIdle(Duration.ofSeconds(30));
    }

    public void resume() {
        paused = false;
        nudge();
    }

    /** Deletes sent rows older than the retention; returns how many. */
    public int pruneNow() {
        try {
            int n = worker.prune(Instant.now().minus(config.retention()));
            if (n > 0) {
                LOG.infof("pruned %d sent audit events older than %s", n, config.retention());
            }
            return n;
        } catch (Exception e) {
            LOG.warnf("pruning the audit outbox failed: %s", e.getMessage());
            return 0;
        }
    }

    /** Null until the first pass; then whether the last publish attempt reached the broker. */
    public Boolean brokerReachable() {
        return brokerReachable;
    }

    public String lastError() {
        return lastError;
    }

    public long backlog() {
        return backlog.get();
    }

    double lagSeconds() {
        Instant oldest = oldestUnsent.get();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0);
    }

    private void schedule(long delayMs) {
        if (stopped) {
            return;
        }
        timer.set(vertx.setTimer(Math.max(1, delayMs), id -> runPass()));
    }

    private void runPass() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        nudged.set(false);
        vertx.executeBlocking(this::pass, false).onComplete(result -> {
            running.set(false);
            long next = result.succeeded() ? result.result() : config.relay().pollInterval().toMillis();
            if (nudged.get() && backoff.isZero()) {
                next = 0;
            }
            schedule(next);
        });
    }

    /** One pass; returns the delay before the next. */
    private long pass() {
        if (paused || stopped) {
            return config.relay().pollInterval().toMillis();
        }
        long next;
        try {
            RelayWorker.Pass pass = worker.relayOnce();
            Instant now = Instant.now();
            for (RelayWorker.Row row : pass.published()) {
                publishDelay.record(Duration.between(row.createdAt(), now));
            }
            published.increment(pass.published().size() - pass.alreadyDelivered());
            if (pass.alreadyDelivered() > 0) {
                LOG.infof("audit relay: %d events had reached the broker before a crash; its duplicate detection dropped the copies",
                        pass.alreadyDelivered());
            }
            if (!pass.lockBusy()) {
                if (Boolean.FALSE.equals(brokerReachable)) {
                    LOG.infof("audit relay: broker reachable again, publishing the backlog");
                }
                brokerReachable = true;
                lastError = null;
            }
            backoff = Duration.ZERO;
            next = pass.published().size() >= config.relay().batchSize() ? 0 : config.relay().pollInterval().toMillis();
        } catch (Exception e) {
            failures.increment();
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
            Duration initial = config.relay().initialBackoff();
            backoff = backoff.isZero() ? initial : min(backoff.multipliedBy(2), config.relay().maxBackoff());
            if (!Boolean.FALSE.equals(brokerReachable)) {
                LOG.warnf("audit relay: publishing failed (%s); events stay in the outbox, retrying with back-off",
                        lastError);
            } else {
                LOG.debugf("audit relay: still failing (%s), next try in %s", lastError, backoff);
            }
            brokerReachable = false;
            next = backoff.toMillis();
        }
        refreshBacklog();
        return next;
    }

    private void refreshBacklog() {
        try {
            RelayWorker.Backlog b = worker.backlog();
            backlog.set(b.count());
            oldestUnsent.set(b.oldest());
        } catch (Exception e) {
            LOG.debugf("audit backlog not measured: %s", e.getMessage());
        }
    }

    private void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running.get() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}

package io.callsup.supervision;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The service's domain metrics (README, "Observability"). Counts come from committed transitions
 * ({@link MeteredAuditTrail}); latencies from where a phone or an application waits. Names are
 * Micrometer's dotted form; Prometheus shows them with underscores and unit suffixes.
 */
@ApplicationScoped
public class SupervisionMetrics {
    /** SLO buckets: a join decision must beat Kamailio's 2 s and the service's 1.5 s deadlines. */
    private static final Duration[] SLO = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofMillis(1000), Duration.ofMillis(1500)};
    /** How long a counted number of active sessions is reused: a scrape must not hammer the database. */
    private static final long ACTIVE_CACHE_NANOS = Duration.ofSeconds(5).toNanos();

    private final MeterRegistry meters;
    private final Map<SupervisionMode, AtomicLong> active = new EnumMap<>(SupervisionMode.class);
    private volatile long activeCountedAt;

    @Inject
    public SupervisionMetrics(MeterRegistry meters) {
        this.meters = meters;
        for (SupervisionMode m : SupervisionMode.values()) {
            AtomicLong n = new AtomicLong();
            active.put(m, n);
            // Counted from the database, so every replica reports every session of the cluster.
            Gauge.builder("callsup.sessions.active", n, x -> {
                refreshActive();
                return x.get();
            }).description("Supervision sessions ACTIVE now, cluster-wide, by mode").tag("mode", tag(m))
                    .register(meters);
        }
    }

    private void refreshActive() {
        long now = System.nanoTime();
        if (now - activeCountedAt < ACTIVE_CACHE_NANOS) {
            return;
        }
        activeCountedAt = now;
        try {
            Map<SupervisionMode, Long> counts = QuarkusTransaction.requiringNew().call(() -> {
                Map<SupervisionMode, Long> c = new EnumMap<>(SupervisionMode.class);
                for (SupervisionMode m : SupervisionMode.values()) {
                    c.put(m, 0L);
                }
                for (Object[] row : SupervisionSession.getEntityManager().createQuery(
                        "select s.mode, count(s) from SupervisionSession s where s.state = :state group by s.mode",
                        Object[].class).setParameter("state", SessionState.ACTIVE).getResultList()) {
                    c.put((SupervisionMode) row[0], (Long) row[1]);
                }
                return c;
            });
            counts.forEach((m, c) -> active.get(m).set(c));
        } catch (RuntimeException e) {
            activeCountedAt = 0; // the database is down: readiness says so; keep the last values
            org.jboss.logging.Logger.getLogger(SupervisionMetrics.class).warnf("active sessions not counted: %s", e.toString());
        }
    }

    void started(Object trigger) {
        meters.counter("callsup.sessions.started", "trigger", tag(trigger)).increment();
    }

    void switched(Object trigger, SupervisionMode to) {
        meters.counter("callsup.mode.switches", "trigger", tag(trigger), "to", tag(to)).increment();
    }

    void ended(Object reason) {
        meters.counter("callsup.sessions.ended", "reason", tag(reason)).increment();
    }

    void denied(String reason, Object trigger) {
        meters.counter("callsup.denials", "reason", tag(reason), "trigger", tag(trigger)).increment();
    }

    /** Dial-in: the time the phone's INVITE waits for our decision. API: the request until ringing. */
    public void joinDecided(String path, String outcome, long startNanos) {
        timer("callsup.join.latency", "From a join request to the service's answer (dial-in: the decision "
                + "Kamailio waits for; API: until the phone rings)", "path", path, "outcome", outcome)
                .record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** From a mode digit's arrival to the new mode confirmed by rtpengine (audible). */
    public void digitApplied(Object trigger, long arrivedNanos) {
        timer("callsup.switch.digit.latency", "From a mode digit's arrival (DTMF-log datagram or SIP INFO) to "
                + "the new mode confirmed by rtpengine", "trigger", tag(trigger))
                .record(Duration.ofNanos(System.nanoTime() - arrivedNanos));
    }

    public void mediaError(String operation) {
        meters.counter("callsup.media.errors", "operation", operation).increment();
    }

    public void kamailioError(String operation) {
        meters.counter("callsup.kamailio.errors", "operation", operation).increment();
    }

    private Timer timer(String name, String description, String... tags) {
        return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(SLO)
                .publishPercentileHistogram(false).register(meters);
    }

    private static String tag(Object o) {
        return o == null ? "none" : o.toString().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

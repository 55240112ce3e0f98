package io.callsup.media;

import java.time.Duration;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Quarkus wiring: at start-up checks the daemons ({@code callsup.media.startup-check}, retried
 * until they pass; readiness waits for it) and starts
 * the DTMF log listener ({@code callsup.media.dtmf-log.*}), which fires {@link DtmfEvent} as a CDI
 * event (observe it with {@code @Observes DtmfEvent}; synchronous, so digits keep their order: observers must only queue).
 */
@ApplicationScoped
public class MediaStartup {
    private static final Logger LOG = Logger.getLogger(MediaStartup.class);
    /** Counter of DTMF-log datagrams that triggered nothing, tagged by reason. */
    static final String DROPPED_METRIC = "callsup.dtmf.log.dropped";

    @Inject
    MediaConfig config;
    @Inject
    RtpengineCheck check;
    @Inject
    Vertx vertx;
    @Inject
    Event<DtmfEvent> dtmfEvents;
    @Inject
    MeterRegistry meters;

    @Inject
    jakarta.enterprise.inject.Instance<io.agroal.api.AgroalDataSource> db;

    /** "calldtmf": the DTMF leader lock (multicast DTMF log only). */
    static final long DTMF_LEADER_LOCK = 0x63616c6c64746d66L;

    private DtmfListener listener;
    private io.callsup.cluster.LeaderLock leader;
    private long leaderTimer = -1;

    /** One volatile pair, so readiness never reports UP next to a stale "failed" text. */
    private volatile Verdict verdict = new Verdict(false, "not checked yet");
    private volatile boolean stopped;

    void onStart(@Observes StartupEvent ev) {
        if (config.startupCheck()) {
            verify();
        } else {
            verdict = new Verdict(true, "disabled (callsup.media.startup-check=false)");
        }
        if (config.dtmfLog().enabled()) {
            // Asynchronous: the listener runs on a Vert.x event loop, which observers must not block.
            DtmfSources sources = config.dtmfLog().allowedSources().filter(l -> !l.isEmpty())
                    .map(DtmfSources::of).orElseGet(() -> DtmfSources.ofRtpengines(config.rtpengine()));
            LOG.infof("DTMF log datagrams are believed only from %s", sources);
            java.util.function.Consumer<DtmfEvent> act = dtmfEvents::fire;
            if (multicast(config.dtmfLog().host())) {
                act = leaderOnly();
            }
            listener = new DtmfListener(vertx, config.dtmfLog().host(), config.dtmfLog().port(), sources,
                    (reason, sender) -> meters.counter(DROPPED_METRIC, "reason", reason).increment(), act);
            if (leader != null) {
                listener.multicastOn(config.dtmfLog().multicastInterface().orElseThrow(() -> new IllegalStateException(
                        "callsup.media.dtmf-log.host is a multicast group: set callsup.media.dtmf-log.multicast-interface")));
            }
            listener.start().toCompletionStage().toCompletableFuture().join();
        }
    }

    private static boolean multicast(String host) {
        try {
            return host.matches("[0-9.:a-fA-F]+") && java.net.InetAddress.getByName(host).isMulticastAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /**
     * Every replica receives every digit of the group; only the one holding the leader lock acts, so
     * a digit switches once. The lock is refreshed on a worker thread (JDBC) every leader-check.
     */
    private java.util.function.Consumer<DtmfEvent> leaderOnly() {
        leader = new io.callsup.cluster.LeaderLock(db.get(), DTMF_LEADER_LOCK, "DTMF log");
        long every = Math.max(50, config.dtmfLog().leaderCheck().toMillis());
        leaderTimer = vertx.setPeriodic(0, every, t -> vertx.executeBlocking(() -> leader.refresh(), false));
        return e -> {
            if (leader.leading()) {
                dtmfEvents.fire(e);
            } else {
                meters.counter(DROPPED_METRIC, "reason", "another-replica-leads").increment();
            }
        };
    }

    /** Whether this replica acts on the multicast DTMF log; empty when the log is unicast. */
    public java.util.Optional<Boolean> dtmfLeader() {
        return leader == null ? java.util.Optional.empty() : java.util.Optional.of(leader.leading());
    }

    /**
     * Checks the daemons and, until they pass, again every {@link #RETRY}: the service starts (and
     * stays not ready, see {@link RtpengineReadiness}) instead of failing while rtpengine is away, as
     * when the pods of a stack come up in any order. A daemon that answers but is too old is logged
     * as an ERROR on every attempt.
     */
    private void verify() {
        check.checkAll().subscribe().with(versions -> {
            verdict = new Verdict(true, "passed: rtpengine " + versions);
            LOG.infof("rtpengine %s at %s: supports supervision", versions, config.rtpengine());
        }, failure -> {
            verdict = new Verdict(false, "failed: " + failure.getMessage());
            if (failure instanceof RtpengineUnsupportedException && !failure.getMessage().contains("does not answer")) {
                LOG.errorf("%s; not ready, checking again in %s", failure.getMessage(), RETRY);
            } else {
                LOG.warnf("rtpengine not usable yet (%s); not ready, checking again in %s", failure.getMessage(), RETRY);
            }
            if (!stopped) {
                vertx.setTimer(RETRY.toMillis(), t -> verify());
            }
        });
    }

    static final Duration RETRY = Duration.ofSeconds(2);

    /** The start-up check's latest result: passed (or switched off) and its text for readiness. */
    public Verdict verdict() {
        return verdict;
    }

    /** {@code verified}: every configured daemon passed the start-up check, or the check is off. */
    public record Verdict(boolean verified, String text) {
    }

    void onStop(@Observes ShutdownEvent ev) {
        stopped = true;
        if (listener != null) {
            listener.close();
        }
        if (leader != null) {
            vertx.cancelTimer(leaderTimer);
            leader.close();
        }
    }
}

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

    private DtmfListener listener;

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
            listener = new DtmfListener(vertx, config.dtmfLog().host(), config.dtmfLog().port(), sources,
                    (reason, sender) -> meters.counter(DROPPED_METRIC, "reason", reason).increment(),
                    dtmfEvents::fire);
            listener.start().toCompletionStage().toCompletableFuture().join();
        }
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
    }
}
